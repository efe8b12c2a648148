/** A student's room: share the screen, see who is watching, leave. */
import { captureErrorText } from '../media/media.ts';
import { isRelayed, sendsToRelay, type MemberView, type Routes } from '../../shared/protocol.ts';
import type { RoomController, RoomState } from '../room/room-controller.ts';
import { SERVER_AWAY_TEXT, self, supervisors, tools, unreadMessages } from '../state/session.ts';
import { surfaceWarning } from '../state/surface.ts';
import { ClassScreen } from './ClassScreen.tsx';
import { useAttentionNotification } from '../hooks/notifications.ts';
import { LeaveButton } from './LeaveButton.tsx';
import { AttentionOverlay, HandCard, NotificationOffer, TeacherMessages, TeachersReply } from './StudentTools.tsx';

interface StudentRoomProps {
  controller: RoomController;
  state: RoomState;
  connection: 'connected' | 'reconnecting';
}

/** The student's view. */
export function StudentRoom({ controller, state, connection }: StudentRoomProps) {
  const { session, share } = state;
  const me = self(session)!;
  const teachers = supervisors(session);
  const receiving = teachers.filter((t) => share.viewers.includes(t.id));
  const stoppedBefore = me.share === 'stopped';
  const names = (list: { name: string }[]) => list.map((t) => t.name).join(', ');
  const classroom = tools(session);
  const unread = unreadMessages(session);
  useAttentionNotification(classroom.attention);

  return (
    <div class="narrow">
      <div class="room-head">
        <div>
          <h1>{session.room!.name}</h1>
          <p class="muted">
            You are {me.name} · room <span class="room-code">{session.room!.code}</span>
          </p>
        </div>
        <LeaveButton onLeave={controller.leave} />
      </div>
      {connection === 'reconnecting' && (
        <p class="alert" role="status">
          {SERVER_AWAY_TEXT}
        </p>
      )}
      {classroom.attention && (
        <AttentionOverlay
          key={classroom.attention.id}
          attention={classroom.attention}
          you={me.id}
          onAck={() => void controller.ackAttention(classroom.attention!.id)}
        />
      )}
      <TeacherMessages messages={unread} onAck={(id) => void controller.ackMessage(id)} />
      {classroom.presentation && (
        <ClassScreen
          key={classroom.presentation.id}
          presentation={classroom.presentation}
          you={me.id}
          stream={state.presentation.stream}
          onWatching={(on) => controller.media?.watchPresentation(on)}
        />
      )}
      <section class="card share-panel" aria-labelledby="share-heading">
        <h2 id="share-heading">
          {share.status === 'sharing'
            ? 'You are sharing your screen'
            : stoppedBefore
              ? 'You stopped sharing'
              : 'Share your screen'}
        </h2>
        {share.status === 'sharing' ? (
          <>
            {surfaceWarning(share.surface) && (
              <p class="alert" role="alert">
                {surfaceWarning(share.surface)}
              </p>
            )}
            <button type="button" class="danger big" onClick={controller.stopShare}>
              Stop sharing
            </button>
          </>
        ) : (
          <button
            type="button"
            class="primary big"
            onClick={controller.startShare}
            disabled={share.status === 'starting' || !window.isSecureContext}
          >
            {share.status === 'starting'
              ? 'Waiting for your choice…'
              : stoppedBefore
                ? 'Share again'
                : 'Share my screen'}
          </button>
        )}
        {share.error && (
          <p class="field-error" role="alert">
            {captureErrorText(share.error)}
          </p>
        )}
      </section>
      <section class="card" aria-labelledby="watching-heading" style="margin-top:1rem">
        <h2 id="watching-heading">Who can see your screen</h2>
        <p class="watchers" aria-live="polite">
          {share.status !== 'sharing'
            ? 'Nobody: you are not sharing.'
            : receiving.length > 0
              ? `Watching now: ${names(receiving)}`
              : 'Nobody is receiving your screen yet.'}
        </p>
        <p class="muted">
          Teachers in this room: {teachers.length > 0 ? names(teachers) : 'none right now'}.{' '}
          {pathText(session.room!.routes, session.you!, teachers)} Nothing is recorded.
        </p>
        {state.companion && (
          <p class="muted">
            This browser has the school’s classroom extension: while you share, your teachers also see the titles and
            addresses of your open tabs, during this lesson only.
            {classroom.sites &&
              (classroom.sites.kind === 'allow'
                ? ` This lesson keeps you to these sites: ${classroom.sites.sites.join(', ')}.`
                : ` This lesson keeps you away from these sites: ${classroom.sites.sites.join(', ')}.`)}
          </p>
        )}
      </section>
      <div class="student-tools">
        <HandCard
          hand={classroom.hands.find((h) => h.studentId === me.id) ?? null}
          answeredBy={session.handAnsweredBy}
          onRaise={controller.raiseHand}
          onLower={() => controller.lowerHand(me.id)}
        />
        <TeachersReply
          you={me.id}
          earlier={classroom.messages.filter((m) => !unread.includes(m))}
          onSend={(text) => controller.sendMessage({ to: 'teachers', text })}
        />
      </div>
      <NotificationOffer />
    </div>
  );
}

/** Which way the student's screen travels, in words: straight to teachers, or through the server to some or all. */
function pathText(routes: Routes, studentId: string, teachers: MemberView[]): string {
  if (!sendsToRelay(routes, studentId)) return 'Your screen goes straight to them, not through the server.';
  if (routes.racing)
    return 'Your screen is sent to them directly and, until that is known to work here, through the school’s server too.';
  const relayed = teachers.filter((t) => isRelayed(routes, studentId, t.id));
  if (relayed.length === teachers.length) return 'Your screen passes through the school’s server on its way to them.';
  const names = relayed.map((t) => t.name).join(', ');
  return `Your screen passes through the school’s server on its way to ${names}, and straight to the others.`;
}
