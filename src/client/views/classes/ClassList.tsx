/** The classes this browser teaches and those of the signed-in teacher, and the form that makes a new one. */
import { useState } from 'preact/hooks';
import { ROOM_NAME_MAX_LENGTH } from '../../../shared/protocol.ts';
import { createClass, useClassList } from '../../hooks/classes.ts';
import type { SignInState } from '../../hooks/sign-in.ts';
import { rememberedPasscode, useSubmission } from '../../hooks/seat-forms.ts';
import { PasscodeField } from '../PasscodeField.tsx';
import { TextField } from '../TextField.tsx';

/** The `/classes` screen. */
export function ClassList(props: {
  passcodeRequired: boolean;
  signIn: SignInState;
  onClassOpen: (classId: string) => void;
}) {
  const signedIn = props.signIn.account?.teaches ?? false;
  const classes = useClassList(signedIn);
  return (
    <div class="narrow">
      <h1>Your classes</h1>
      <p class="muted">
        A class keeps its roster, its students’ join link and the record of its lessons from one lesson to the next.
      </p>
      <div class="cards">
        <section class="card" aria-labelledby="class-list-heading">
          <h2 id="class-list-heading">{signedIn ? 'Classes you teach' : 'Classes you teach on this device'}</h2>
          {classes === null ? (
            <p role="status">Loading…</p>
          ) : classes.length === 0 ? (
            <p class="muted">
              {signedIn
                ? 'None yet. Make one here; a class another teacher adds you to by your school e-mail shows here too.'
                : 'None yet. Make one here, or open the invite link another teacher of a class gave you.'}
            </p>
          ) : (
            <ul class="plain" aria-labelledby="class-list-heading">
              {classes.map((c) => (
                <li key={c.id} class="list-row">
                  <a
                    href={`/classes/${c.id}`}
                    onClick={(e) => {
                      e.preventDefault();
                      props.onClassOpen(c.id);
                    }}
                  >
                    {c.name}
                  </a>
                  {c.archived && <span class="badge">Archived</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="card" aria-labelledby="new-class-heading">
          <h2 id="new-class-heading">New class</h2>
          <NewClassForm
            // A signed-in teacher needs no passcode, as on Home's "Create a room".
            passcodeRequired={props.passcodeRequired && !props.signIn.account?.teaches}
            onClassOpen={props.onClassOpen}
          />
        </section>
      </div>
    </div>
  );
}

function NewClassForm(props: { passcodeRequired: boolean; onClassOpen: (classId: string) => void }) {
  const [name, setName] = useState('');
  const [passcode, setPasscode] = useState(rememberedPasscode);
  const create = useSubmission(async () =>
    props.onClassOpen(await createClass({ name, ...(props.passcodeRequired ? { passcode } : {}) })),
  );
  const { busy, error } = create;
  return (
    <form onSubmit={(event) => create.submit(event)}>
      <TextField
        id="new-class-name"
        label="Class name"
        value={name}
        onValue={setName}
        required
        maxLength={ROOM_NAME_MAX_LENGTH}
        placeholder="Period 3 Biology"
      />
      {props.passcodeRequired && <PasscodeField id="new-class-passcode" value={passcode} onValue={setPasscode} />}
      {error && (
        <p class="field-error" role="alert">
          {error.message}
        </p>
      )}
      <button type="submit" class="primary big" disabled={busy}>
        {busy ? 'Making the class…' : 'Make class'}
      </button>
    </form>
  );
}
