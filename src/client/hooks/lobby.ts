/**
 * The lobby's data: the listed rooms, live from the lobby event stream, and the teacher passcode
 * that opens it where the school asks for one. The lobby view only renders what these return.
 */
import { useEffect, useState } from 'preact/hooks';
import type { LobbyEvent, RoomSummary } from '../../shared/protocol.ts';
import { lobbyEventsUrl, listRoomsWith, rememberPasscode, rememberedPasscode } from '../net/api.ts';
import { followEvents, type StreamStatus } from '../net/event-stream.ts';
import { reduceLobby } from '../state/lobby.ts';

/** The listed rooms (null until the first snapshot) and the stream's state, followed while mounted. */
export function useLobbyRooms(passcode: string): { rooms: RoomSummary[] | null; status: StreamStatus } {
  const [rooms, setRooms] = useState<RoomSummary[] | null>(null);
  const [status, setStatus] = useState<StreamStatus>('connecting');
  useEffect(
    () =>
      followEvents<LobbyEvent>(
        lobbyEventsUrl(passcode),
        (event) => setRooms((current) => reduceLobby(current ?? [], event)),
        setStatus,
      ),
    [passcode],
  );
  return { rooms, status };
}

/**
 * The passcode the lobby opens with (the one this device remembers, or ''), and a check that tries
 * a typed one against the server: it is remembered and used once the server takes it, and the
 * server's refusal is what the returned promise rejects with.
 */
export function useLobbyPasscode(): [passcode: string, check: (typed: string) => Promise<void>] {
  const [passcode, setPasscode] = useState(rememberedPasscode);
  const check = async (typed: string) => {
    await listRoomsWith(typed);
    rememberPasscode(typed);
    setPasscode(typed);
  };
  return [passcode, check];
}
