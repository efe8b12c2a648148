/** The room screen: the room's notices, then the student or supervisor view for this seat. */
import { useSubscription } from '../hooks/browser.ts';
import type { RoomController } from '../room/room-controller.ts';
import { self } from '../state/session.ts';
import { Notices } from './Notices.tsx';
import { StudentRoom } from './StudentRoom.tsx';
import { SupervisorRoom } from './SupervisorRoom.tsx';
import { hasWebRtc, noWebRtcText } from '../browser-support.ts';

/** Renders the room for the controller's seat. */
export function Room({ controller }: { controller: RoomController }) {
  const state = useSubscription(controller, () => controller.state);
  const me = self(state.session);
  const { stream, restarting } = state.session;
  const connection =
    restarting || stream === 'reconnecting' || state.signalling === 'reconnecting' ? 'reconnecting' : 'connected';
  if (!hasWebRtc()) {
    return (
      <p class="narrow alert" role="alert">
        {noWebRtcText(controller.seat.role)}
      </p>
    );
  }
  return (
    <>
      <Notices notices={state.session.notices} onNoticeDismiss={controller.dismissNotice} />
      {!state.session.room || !me ? (
        <p class="narrow" role="status">
          {state.session.stream === 'reconnecting' ? 'Reconnecting to the room…' : 'Connecting to the room…'}
        </p>
      ) : me.role === 'student' ? (
        <StudentRoom controller={controller} state={state} connection={connection} />
      ) : (
        <SupervisorRoom controller={controller} state={state} connection={connection} />
      )}
    </>
  );
}
