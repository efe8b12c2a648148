/**
 * The app shell: routes between screens, owns the saved seat and the room controller's lifetime,
 * and shows the banners every screen shares (offline, insecure page, update available).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ClientConfig, JoinRoomResponse, WaitingResponse } from '../shared/protocol.ts';
import { useRoute, useServerReachable } from './hooks/browser.ts';
import { useSignIn } from './hooks/sign-in.ts';
import * as api from './net/api.ts';
import { RoomController } from './room/room-controller.ts';
import { parseRoute } from './state/links.ts';
import { seatEndText, type SeatEnd } from './state/session.ts';
import { isWaiting, loadWaiting, saveWaiting, waitingFrom, type Waiting } from './state/classes-joined.ts';
import { clearSeat, loadName, loadSeat, saveSeat, seatFrom, type SavedSeat } from './state/storage.ts';
import { watchForUpdates } from './sw-update.ts';
import { ClassLink } from './views/ClassLink.tsx';
import { ClassList } from './views/classes/ClassList.tsx';
import { ClassPage } from './views/classes/ClassPage.tsx';
import { Home } from './views/Home.tsx';
import { LessonOffers } from './views/LessonOffers.tsx';
import { Lobby } from './views/Lobby.tsx';
import { Room } from './views/Room.tsx';
import { WaitingScreen } from './views/WaitingScreen.tsx';

/** The root component. */
export function App() {
  const [route, navigate] = useRoute();
  const online = useServerReachable();
  const [config, setConfig] = useState<ClientConfig | null>(null);
  const [seat, setSeat] = useState<SavedSeat | null | undefined>(undefined);
  const [name, setName] = useState('');
  const [homeNotice, setHomeNotice] = useState<string | null>(null);
  const [applyUpdate, setApplyUpdate] = useState<(() => void) | null>(null);
  const [waiting, setWaiting] = useState<Waiting | null>(null);
  /** Starts or ends a wait to be let in, kept in storage so a reload goes on waiting. */
  const wait = (next: Waiting | null) => {
    setWaiting(next);
    void saveWaiting(next);
  };
  const signIn = useSignIn(config?.signIn ?? false);

  // Runtime settings (retried until the server answers) and the seat saved before a reload.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const fetchConfig = () =>
      api.getConfig().then(setConfig, () => {
        timer = setTimeout(fetchConfig, 3000);
      });
    void fetchConfig();
    void loadName().then(setName);
    // A wait to be let in survives a reload: the waiting screen asks again with the same token.
    void loadWaiting().then((saved) => saved && setWaiting(saved));
    void loadSeat().then((saved) => {
      setSeat(saved ?? null);
      // Reopening the app returns to the seat, unless a link to another room or to classes was opened.
      const opened = parseRoute(location.pathname, location.hash);
      const elsewhere =
        opened.screen === 'class-link' ||
        ((opened.screen === 'join' || opened.screen === 'room') && opened.code !== saved?.code) ||
        opened.screen === 'classes' ||
        opened.screen === 'class';
      if (saved && !elsewhere) navigate({ screen: 'room', code: saved.code }, { replace: true });
    });
    watchForUpdates((apply) => setApplyUpdate(() => apply));
    return () => clearTimeout(timer);
  }, []);

  // The seat in use, for callbacks of controllers that may outlive it by an event or two.
  const currentSeat = useRef<SavedSeat | null | undefined>(seat);
  currentSeat.current = seat;

  const onSeatEnded = (ended: SavedSeat, reason: SeatEnd, roomName: string) => {
    // A seat given up for another room may still report its end; only the current one counts.
    if (currentSeat.current?.token !== ended.token) return;
    void clearSeat();
    setSeat(null);
    setHomeNotice(seatEndText(reason, roomName));
    // A lesson's seat ends on its class's page, where the lesson now shows among the past ones.
    navigate(ended.classId ? { screen: 'class', classId: ended.classId, teacherKey: null } : { screen: 'home' }, {
      replace: true,
    });
  };

  const controller = useMemo(
    () => (seat && config ? new RoomController(seat, config, (reason, name) => onSeatEnded(seat, reason, name)) : null),
    [seat?.token, config !== null],
  );
  useEffect(() => () => controller?.dispose(), [controller]);

  const enterRoom = async (next: SavedSeat) => {
    // One seat at a time: joining another room gives up the old seat now rather than after a timeout.
    if (seat && seat.token !== next.token) {
      controller?.dispose();
      api.leaveRoom(seat.code, seat.token).catch(() => undefined);
    }
    currentSeat.current = next;
    wait(null);
    await saveSeat(next);
    setName(next.name);
    setHomeNotice(null);
    setSeat(next);
    navigate({ screen: 'room', code: next.code });
  };

  /** A join by a class link: a seat, or a wait for the teacher. */
  const onJoined = (reply: JoinRoomResponse | WaitingResponse) =>
    isWaiting(reply) ? wait(waitingFrom(reply)) : void enterRoom(seatFrom(reply.room, reply.member));

  let screen;
  if (waiting) {
    screen = (
      <WaitingScreen
        waiting={waiting}
        onAdmitted={(admitted) => void enterRoom(admitted)}
        onTurnedAway={(message) => {
          wait(null);
          setHomeNotice(message);
          navigate({ screen: 'home' }, { replace: true });
        }}
        onCancel={() => {
          // The teachers' list drops them at once; if the server cannot be told, the wait expires.
          api.withdrawAdmission(waiting.code, waiting.token).catch(() => undefined);
          wait(null);
        }}
      />
    );
  } else if (route.screen === 'room' && seat && controller && seat.code === route.code) {
    screen = <Room controller={controller} />;
  } else if (route.screen === 'room' && seat === undefined) {
    screen = <p class="narrow">Loading…</p>;
  } else if (route.screen === 'class-link') {
    screen = <ClassLink secret={route.secret} name={name} signIn={signIn} onJoined={onJoined} />;
  } else if (route.screen === 'classes') {
    screen = (
      <ClassList
        passcodeRequired={config?.passcodeRequired ?? false}
        signIn={signIn}
        onClassOpen={(classId) => navigate({ screen: 'class', classId, teacherKey: null })}
      />
    );
  } else if (route.screen === 'class') {
    screen = (
      <ClassPage
        key={route.classId}
        classId={route.classId}
        inviteKey={route.teacherKey}
        notice={homeNotice}
        // A signed-in teacher starts and opens lessons under their school account's name, as on Home.
        name={signIn.account?.name || name}
        signInAvailable={signIn.available}
        currentSeat={seat ?? null}
        onInviteOpen={() => navigate({ ...route, teacherKey: null }, { replace: true })}
        onSeatTaken={enterRoom}
        onRoomReturn={() => seat && navigate({ screen: 'room', code: seat.code })}
        onClassesOpen={() => navigate({ screen: 'classes' })}
      />
    );
  } else if (route.screen === 'lobby') {
    screen = (
      <Lobby
        passcodeRequired={config?.passcodeRequired ?? false}
        onRoomSelect={(code) => navigate({ screen: 'join', code, supervisorKey: null })}
      />
    );
  } else {
    const join =
      route.screen === 'join' ? route : route.screen === 'room' ? { code: route.code, supervisorKey: null } : null;
    screen = (
      <Home
        notice={homeNotice}
        passcodeRequired={config?.passcodeRequired ?? false}
        name={name}
        joinCode={join?.code ?? ''}
        supervisorKey={join?.supervisorKey ?? null}
        currentSeat={seat ?? null}
        onSeatTaken={enterRoom}
        onWaiting={wait}
        onLobbyOpen={() => navigate({ screen: 'lobby' })}
        onClassesOpen={() => navigate({ screen: 'classes' })}
        onRoomReturn={() => seat && navigate({ screen: 'room', code: seat.code })}
        signIn={signIn}
      />
    );
  }

  return (
    <>
      <header class="app-header">
        <a
          href="/"
          onClick={(e) => {
            e.preventDefault();
            navigate({ screen: 'home' });
          }}
        >
          <img src="/icon.svg" alt="" width="32" height="32" />
          Classroom Screens
        </a>
        <span class="spacer" />
      </header>
      {!online && (
        <div class="banner warn" role="status">
          Offline: the classroom server cannot be reached. The app is waiting and reconnects by itself.
        </div>
      )}
      {!window.isSecureContext && (
        <div class="banner warn" role="alert">
          Screen sharing needs HTTPS: open https://{location.host}
          {location.pathname} or ask your admin.
        </div>
      )}
      {applyUpdate && (
        <div class="banner info" role="status">
          Update available.
          <button type="button" class="primary" onClick={applyUpdate}>
            Reload to update
          </button>
        </div>
      )}
      <main id="main">
        {route.screen !== 'room' && !waiting && <LessonOffers currentCode={seat?.code ?? null} onJoined={onJoined} />}
        {screen}
      </main>
    </>
  );
}
