/** A supervisor's room: the wall of student screens, the roster, and the host's tools. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MemberView, Routes } from '../../shared/protocol.ts';
import { useWallSettings } from '../hooks/browser.ts';
import { HAND_NOTES, STOP_NOTES, useSoundForNewIds } from '../hooks/sound.ts';
import type { RoomController, RoomState } from '../room/room-controller.ts';
import { SERVER_AWAY_TEXT, handQueue, self, studentRoster, supervisors } from '../state/session.ts';
import { AttendanceButton, ClassToolButtons, ClassToolsPanel, useClassTools } from './ClassTools.tsx';
import { InvitePanel, ProjectorView } from './InvitePanel.tsx';
import { LeaveButton } from './LeaveButton.tsx';
import { STATUS_TEXT } from './Tile.tsx';
import { Wall } from './Wall.tsx';
import { HandQueue, MessageLog, WaitingList } from './ClassroomLists.tsx';

interface SupervisorRoomProps {
  controller: RoomController;
  state: RoomState;
  connection: 'connected' | 'reconnecting';
}

/** The supervisor's view. */
export function SupervisorRoom({ controller, state, connection }: SupervisorRoomProps) {
  const { session } = state;
  const room = session.room!;
  const me = self(session)!;
  const isHost = room.hostId === me.id;
  const roster = studentRoster(session);
  const [actionError, setActionError] = useState<string | null>(null);
  const act = async (action: Promise<string | null>) => setActionError(await action);
  const [settings, updateSettings] = useWallSettings();
  const [inviteOpen, setInviteOpen] = useInviteFolding(roster.length);
  const inviteButton = useRef<HTMLButtonElement>(null);
  // Hiding the invitation by hand returns focus to the button that brings it back.
  const [inviteHiddenByHand, setInviteHiddenByHand] = useState(false);
  useEffect(() => {
    if (!inviteHiddenByHand) return;
    inviteButton.current?.focus();
    setInviteHiddenByHand(false);
  }, [inviteHiddenByHand]);
  const [projecting, setProjecting] = useState(false);
  const hands = handQueue(session);
  const waiting = room.waiting ?? [];
  const classTools = useClassTools();
  useSoundForNewIds(
    settings.stopSound,
    roster.filter((r) => r.status === 'stopped').map((r) => r.member.id),
    STOP_NOTES,
  );
  useSoundForNewIds(
    settings.handSound,
    hands.map((h) => h.studentId),
    HAND_NOTES,
  );

  return (
    <>
      <div class="room-head">
        <div>
          <h1>{room.name}</h1>
          <p class="muted">
            Room code <span class="room-code">{room.code}</span> · {room.students} student
            {room.students === 1 ? '' : 's'}
            {isHost ? ' · you are the host' : ''}
            {waiting.length > 0 && ` · ${waiting.length} waiting to be let in`}
            {` · ${screensPathText(room.routes)}`}
          </p>
        </div>
        <div class="row">
          <ClassToolButtons controller={controller} session={session} tools={classTools} />
          <button type="button" onClick={() => setProjecting(true)}>
            Show join code
          </button>
          {isHost && room.supervisorKey && !inviteOpen && (
            <button
              ref={inviteButton}
              type="button"
              aria-expanded="false"
              aria-controls="invite-panel"
              onClick={() => setInviteOpen(true)}
            >
              Invite
            </button>
          )}
          {isHost && <EndRoomButton onEnd={() => act(controller.endRoom())} />}
          <LeaveButton onLeave={controller.leave} />
        </div>
      </div>
      {connection === 'reconnecting' && (
        <p class="alert" role="status">
          {SERVER_AWAY_TEXT}
        </p>
      )}
      {actionError && (
        <p class="alert" role="alert">
          {actionError}
        </p>
      )}
      {isHost && room.supervisorKey && inviteOpen && (
        <InvitePanel
          code={room.code}
          supervisorKey={room.supervisorKey}
          onClose={() => {
            setInviteOpen(false);
            setInviteHiddenByHand(true);
          }}
        />
      )}
      {projecting && <ProjectorView code={room.code} onClose={() => setProjecting(false)} />}
      <ClassToolsPanel
        controller={controller}
        session={session}
        tools={classTools}
        captureError={state.presentation.error}
      />
      <div class="room-layout">
        <Wall
          controller={controller}
          session={session}
          roster={roster}
          raisedHands={hands.map((h) => h.studentId)}
          settings={settings}
          onSettingsChange={updateSettings}
        />
        <aside class="card" aria-label="Room members">
          <WaitingList
            waiting={waiting}
            onAdmit={(id, addToRoster) => void act(controller.admit(id, addToRoster))}
            onRefuse={(id) => void act(controller.refuseWaiting(id))}
          />
          <HandQueue session={session} onHandLower={(id) => void act(controller.lowerHand(id))} />
          <h2>Students ({roster.filter((s) => s.status !== 'left').length})</h2>
          {roster.length === 0 ? (
            <p class="muted">No students yet. Share the room code {room.code}.</p>
          ) : (
            <ul class="plain" aria-label="Students">
              {roster.map(({ member, status }) => (
                <li key={member.id} class="list-row">
                  <span>
                    {member.name} <span class={`badge ${status}`}>{STATUS_TEXT[status]}</span>
                  </span>
                  {isHost && status !== 'left' && (
                    <button type="button" class="danger" onClick={() => act(controller.kick(member.id))}>
                      Remove<span class="visually-hidden"> {member.name}</span>
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
          {session.departed.length > 0 && (
            <button type="button" class="link" onClick={controller.clearDeparted}>
              Clear students who left
            </button>
          )}
          {isHost && (
            <p>
              <AttendanceButton controller={controller} tools={classTools} />
            </p>
          )}
          <h2 style="margin-top:1rem">Supervisors</h2>
          <ul class="plain" aria-label="Supervisors">
            {supervisors(session).map((supervisor) => (
              <SupervisorRow
                key={supervisor.id}
                supervisor={supervisor}
                isYou={supervisor.id === me.id}
                canManage={isHost && supervisor.id !== me.id}
                onHostMake={() => act(controller.makeHost(supervisor.id))}
                onRemove={() => act(controller.kick(supervisor.id))}
              />
            ))}
          </ul>
          <MessageLog session={session} />
        </aside>
      </div>
    </>
  );
}

/**
 * The invitation is open while the room has no student, folds away once the first one joins (the
 * wall needs the room), and comes back with the Invite button.
 */
/** How the room's screens reach supervisors, in words for the room's heading. */
function screensPathText(routes: Routes): string {
  if (routes.transport === 'relay') return 'screens arrive through the server’s relay';
  if (routes.racing) return 'screens come through the server’s relay until peer to peer works here';
  if (routes.relayedPairs.length > 0) return 'screens arrive peer to peer, some through the server’s relay';
  return 'screens arrive peer to peer';
}

function useInviteFolding(studentCount: number): [boolean, (open: boolean) => void] {
  const [open, setOpen] = useState(studentCount === 0);
  const before = useRef(studentCount);
  useEffect(() => {
    if (before.current === 0 && studentCount > 0) setOpen(false);
    before.current = studentCount;
  }, [studentCount]);
  return [open, setOpen];
}

function SupervisorRow(props: {
  supervisor: MemberView;
  isYou: boolean;
  canManage: boolean;
  onHostMake: () => void;
  onRemove: () => void;
}) {
  const { supervisor } = props;
  return (
    <li class="list-row">
      <span>
        {supervisor.name}
        {props.isYou ? ' (you)' : ''} {supervisor.isHost && <span class="badge host">Host</span>}
        {!supervisor.connected && <span class="badge reconnecting">Offline</span>}
      </span>
      {props.canManage && (
        <span class="row">
          <button type="button" onClick={props.onHostMake}>
            Make host<span class="visually-hidden"> {supervisor.name}</span>
          </button>
          <button type="button" class="danger" onClick={props.onRemove}>
            Remove<span class="visually-hidden"> {supervisor.name}</span>
          </button>
        </span>
      )}
    </li>
  );
}

function EndRoomButton(props: { onEnd: () => void }) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" class="danger" onClick={() => setConfirming(true)}>
        End room
      </button>
    );
  }
  return (
    <div class="row" role="group" aria-label="Confirm ending the room">
      <span>End the room for everyone?</span>
      <button type="button" class="danger solid" onClick={props.onEnd}>
        End room for everyone
      </button>
      <button type="button" onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </div>
  );
}
