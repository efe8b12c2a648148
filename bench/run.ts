/** `npm run bench`: runs every benchmark against the built app and server, prints the figures and saves them in bench/results/. */
import { benchAbuse, hostileClassRows } from './abuse.ts';
import { benchApp } from './app.ts';
import { benchCodecs } from './codecs.ts';
import { benchMesh } from './mesh.ts';
import { benchCeiling } from './ceiling.ts';
import { benchRelayCapacity, benchRelayWorkers } from './relay-capacity.ts';
import { benchRelayMedia } from './relay-media.ts';
import { benchRestart } from './restart.ts';
import { benchClassJoins } from './class-joins.ts';
import { benchRosterImport } from './roster-import.ts';
import { benchNetworks } from './networks.ts';
import { benchPresentation, printPresentation } from './presentation.ts';
import { benchSignalling } from './signalling.ts';
import { benchTabs, printTabs } from './tabs.ts';
import { benchWall } from './wall.ts';

const signalling = await benchSignalling();
console.log('\nSignalling (bench/results/signalling.json)');
console.table({
  'join p50 (ms)': signalling.joinLatencyMs.p50,
  'join p99 (ms), target ≤ 50': signalling.joinLatencyMs.p99,
  'joins per second': signalling.joinsPerSecond,
  'errors, target 0': signalling.errors,
  'server RSS before (MiB)': signalling.serverRssMiB.before,
  'server RSS connected (MiB)': signalling.serverRssMiB.connected,
  'server RSS after leaving (MiB)': signalling.serverRssMiB.afterLeaving,
  'RSS per member (KB), target ≤ 20': signalling.rssPerMemberKB,
  'retained heap per member after GC (KB)': signalling.afterFullGc.retainedPerMemberKB,
  'server RSS after GC, connected (MiB)': signalling.afterFullGc.rssMiB.connected,
  'retained heap after leaving (MiB)': signalling.afterFullGc.retainedHeapMiB.afterLeaving,
});

const app = await benchApp();
console.log('\nApp (bench/results/app.json)');
console.table({
  'JS shipped, gzip (KB), target ≤ 70': app.javascriptGzipKB.total,
  'JS for the first screen, gzip (KB)': app.javascriptGzipKB.firstScreen,
  'JS loaded later (room, QR), gzip (KB)': app.javascriptGzipKB.loadedLater,
  'service worker, gzip (KB)': app.serviceWorkerGzipKB,
  'Home first contentful paint p50 (ms)': app.homeFirstContentfulPaintMs.p50,
  'Home first contentful paint p90 (ms)': app.homeFirstContentfulPaintMs.p90,
});

const mesh = await benchMesh();
console.log('\nMesh media (bench/results/mesh.json)');
console.table({
  'share → first frame p50 (ms), target ≤ 400': mesh.shareToFirstFrameMs.p50,
  'share → first frame p90 (ms)': mesh.shareToFirstFrameMs.p90,
  [`teacher downlink, ${mesh.teacherDownlink.students} thumbnails (kbps)`]: mesh.teacherDownlink.thumbnailTotalKbps,
  'largest thumbnail (kbps), target ≤ 250': Math.max(...mesh.teacherDownlink.thumbnailsKbps),
  'zoomed stream, fake screen (kbps)': mesh.teacherDownlink.zoomedStreamKbps,
  'thumbnail, moving content (kbps), target ≤ 250': mesh.teacherDownlink.movingContent.thumbnailKbps,
  'zoomed, moving content (kbps), target ≥ 1500': mesh.teacherDownlink.movingContent.zoomedKbps,
  'student upload, 1 thumbnail viewer (kbps)': mesh.studentPerSupervisor.thumbnail.uploadKbps,
  'student upload, 1 full-quality viewer (kbps)': mesh.studentPerSupervisor.full.uploadKbps,
  'student browser CPU, in room, not sharing (% core)': mesh.studentPerSupervisor.inRoomNotSharingCpuPercent,
  'student browser CPU, 1 thumbnail viewer (% core)': mesh.studentPerSupervisor.thumbnail.browserCpuPercent,
  'student browser CPU, 1 full viewer (% core)': mesh.studentPerSupervisor.full.browserCpuPercent,
});

const relay = await benchRelayMedia();
console.log('\nRelay media (bench/results/relay-media.json)');
console.table({
  'share → first frame via relay p50 (ms), target ≤ 600': relay.shareToFirstFrameViaRelayMs.p50,
  'share → first frame via relay p90 (ms)': relay.shareToFirstFrameViaRelayMs.p90,
  [`student upload, ${relay.studentWithSupervisors.supervisors} supervisors, mesh (kbps)`]:
    relay.studentWithSupervisors.mesh.uploadKbps,
  [`student upload, ${relay.studentWithSupervisors.supervisors} supervisors, relay (kbps)`]:
    relay.studentWithSupervisors.relay.uploadKbps,
  'student browser CPU, mesh (% core)': relay.studentWithSupervisors.mesh.browserCpuPercent,
  'student browser CPU, relay (% core)': relay.studentWithSupervisors.relay.browserCpuPercent,
});

const capacity = await benchRelayCapacity();
console.log('\nRelay capacity (bench/results/relay-capacity.json)');
console.table(
  capacity.steps.map((s) => ({
    'viewer-streams': s.viewerStreams,
    'forwarded packets/s': s.forwardedPacketsPerSecond,
    'loss %': s.lossPercent,
    'relay CPU % of a core': s.relayCpuPercentOfCore,
    'packets/s per relay core': s.packetsPerSecondPerCore,
    'benchmark process CPU %': s.benchProcessCpuPercentOfCore,
  })),
);
console.log(
  `Most viewer-streams with < 1% loss: ${capacity.maxViewerStreamsUnder1PercentLoss} (target 500); best packets/s per core: ${capacity.bestPacketsPerSecondPerCore} (target 15,000).`,
);

const workers = await benchRelayWorkers();
console.log(`\nRelay capacity, 1 worker vs 2 on ${workers.cores} cores (bench/results/relay-workers.json)`);
console.table(
  workers.oneWorker.steps.map((s, i) => ({
    'viewer-streams': s.viewerStreams,
    'loss %, 1 worker': s.lossPercent,
    'loss %, 2 workers': workers.twoWorkers.steps[i]?.lossPercent,
    'relay CPU %, 1 worker': s.relayCpuPercentOfCore,
    'relay CPU %, 2 workers (sum)': workers.twoWorkers.steps[i]?.relayCpuPercentOfCore,
    'packets/s, 1 worker': s.forwardedPacketsPerSecond,
    'packets/s, 2 workers': workers.twoWorkers.steps[i]?.forwardedPacketsPerSecond,
  })),
);
console.log(
  `Most viewer-streams with < 1% loss: ${workers.oneWorker.maxViewerStreamsUnder1PercentLoss} with 1 worker, ${workers.twoWorkers.maxViewerStreamsUnder1PercentLoss} with 2.`,
);

const ceiling = await benchCeiling();
console.log('\nCeiling of one app process (bench/results/ceiling.json)');
console.table(
  ceiling.steps.map((s) => ({
    'members connected': s.membersConnected,
    'join p50 (ms)': s.joinLatencyMs.p50,
    'join p99 (ms), limit 100': s.joinLatencyMs.p99,
    errors: s.errors,
    'server RSS (MiB)': s.serverRssMiB,
    'benchmark process CPU %': s.benchProcessCpuPercentOfCore,
  })),
);
console.log(
  `Ceiling: ${ceiling.ceilingMembers} members (${ceiling.stoppedBecause}); server RSS there ${ceiling.serverRssMiBAtCeiling} MiB.`,
);

const restart = await benchRestart();
console.log('\nRestart (bench/results/restart.json)');
console.table({
  [`members saved (${restart.restart.rooms} rooms)`]: restart.restart.members,
  'state file (KB)': restart.restart.stateFileKB,
  'load time in the server (ms)': restart.restart.loadMs,
  'process start → /api/health answers (ms)': restart.restart.processStartToHealthMs,
  'server RSS just after load (MiB)': restart.restart.serverRssMiB.justAfterLoad,
  'server RSS, all members back (MiB)': restart.restart.serverRssMiB.allMembersBack,
  'member back after server answers p50 (ms)': restart.restart.backAfterServerAnswersMs.p50,
  'member back after server answers p99 (ms)': restart.restart.backAfterServerAnswersMs.p99,
  'join p99, nothing saved (ms)': restart.joinLatencyMsByStore.memory.p99,
  'join p99, file store (ms)': restart.joinLatencyMsByStore.file.p99,
  'join p99, Redis (ms)': restart.joinLatencyMsByStore.redis.p99,
  'browser: answers → wall whole p50 (ms), target ≤ 10,000': restart.browserRestartToWallWholeMs.p50,
  'browser: answers → wall whole p90 (ms)': restart.browserRestartToWallWholeMs.p90,
  'standby: active killed → serving p50 (ms), target ≤ 10,000': restart.standbyTakeoverMs.p50,
  'standby: active killed → serving p90 (ms)': restart.standbyTakeoverMs.p90,
});

const codecs = await benchCodecs();
console.log(`\nCodecs, a ${codecs.tiles}-tile wall (bench/results/codecs.json)`);
console.table(
  Object.fromEntries(
    (['vp8', 'h264'] as const).map((name) => {
      const c = codecs[name];
      return [
        name,
        {
          'decoded as': c.negotiated.join(', '),
          'decode ms/frame': c.decodeMsPerFrame,
          decoder: c.decoders.join(', '),
          'hardware decoders': c.hardwareDecoders,
          'encode ms/frame': c.encodeMsPerFrame,
          encoder: c.encoders.join(', '),
          'fps per tile': c.framesPerSecondPerTile,
          'kbps per tile': c.kbpsPerTile,
        },
      ];
    }),
  ),
);

const abuse = await benchAbuse();
console.log('\nAbuse (bench/results/abuse.json)');
console.table({
  'room spam: teacher rooms created (%), target 100': abuse.roomSpam.teacherSuccessPercent,
  'room spam: teacher create p99 (ms)': abuse.roomSpam.teacherCreateMs.p99,
  'room spam: rooms open at the end': abuse.roomSpam.roomsOpenAtEnd,
  'signalling flood: server RSS peak (MiB), target < 200': abuse.signallingFlood.serverRssMiB.peakDuringFlood,
  'signalling flood: server RSS after (MiB)': abuse.signallingFlood.serverRssMiB.after,
  'signalling flood: health p99 during (ms), target < 50': abuse.signallingFlood.healthMs.duringFlood.p99,
  'signalling flood: health p99 after (ms)': abuse.signallingFlood.healthMs.after.p99,
  'signalling flood: across rooms / to classmates, target 0':
    abuse.signallingFlood.offersDelivered.otherRoomTeacher + abuse.signallingFlood.offersDelivered.classmate,
  'stream flood: server RSS peak (MiB)': abuse.streamFlood.serverRssMiB.peak,
  'stream flood: retained after GC, before → after (MiB)': `${abuse.streamFlood.retainedAfterGcMiB.before} → ${abuse.streamFlood.retainedAfterGcMiB.afterDisconnect}`,
  'stream flood: health p99 during (ms)': abuse.streamFlood.healthMsDuringFlood.p99,
  ...hostileClassRows(abuse.hostileClass),
  ...hostileClassRows(abuse.hostileClassUnlimited, 'hostile class, limits off'),
});

const wall = await benchWall();
console.log('\nA class section on one wall, 30 real Chromium students (bench/results/wall.json)');
for (const [content, figures] of [
  ['fake screen', wall.staticScreen],
  ['moving content', wall.movingScreen],
] as const) {
  console.log(`\n${content}: all tiles live ${figures.allTilesLiveAfterShareMs} ms after the shares`);
  console.table({
    'downlink, all 30 on screen (kbps)': {
      now: figures.followsView.allVisible.downlinkKbps,
      today: figures.today.allVisible.downlinkKbps,
    },
    'downlink, half scrolled away (kbps)': {
      now: figures.followsView.halfAway.downlinkKbps,
      today: figures.today.halfAway.downlinkKbps,
    },
    'downlink, wall tab hidden (kbps), target 0': {
      now: figures.followsView.hidden.downlinkKbps,
      today: figures.today.hidden.downlinkKbps,
    },
    'teacher CPU, all on screen (% core)': {
      now: figures.followsView.allVisible.cpuPercent,
      today: figures.today.allVisible.cpuPercent,
    },
    'teacher CPU, half away (% core)': {
      now: figures.followsView.halfAway.cpuPercent,
      today: figures.today.halfAway.cpuPercent,
    },
    'teacher CPU, tab hidden (% core)': {
      now: figures.followsView.hidden.cpuPercent,
      today: figures.today.hidden.cpuPercent,
    },
    'teacher decoding, all on screen (% core)': {
      now: figures.followsView.allVisible.decodePercent,
      today: figures.today.allVisible.decodePercent,
    },
    '15 tiles scrolled back: median tile to a new frame (ms), target ≤ 500': {
      now: figures.followsView.visibleAgainAfterScrollMs.p50,
      today: figures.today.visibleAgainAfterScrollMs.p50,
    },
    '15 tiles scrolled back: slowest tile (ms)': {
      now: figures.followsView.visibleAgainAfterScrollMs.max,
      today: figures.today.visibleAgainAfterScrollMs.max,
    },
    'hidden tab shown: slowest of 30 tiles (ms)': {
      now: figures.followsView.visibleAgainAfterTabMs.max,
      today: figures.today.visibleAgainAfterTabMs.max,
    },
  });
  console.log(
    `teacher browser CPU now / today, all on screen: ${figures.cpuRatioAllVisible} (target ≤ 0.5); decoding alone: ${figures.decodeRatioAllVisible}`,
  );
}
console.log(
  `moving content, all on screen: ${wall.movingScreen.followsView.allVisible.downlinkKbps} kbps (target ≤ 3000)`,
);

printPresentation(await benchPresentation());

printTabs(await benchTabs());

const roster = await benchRosterImport();
console.log(`\nRoster import, ${roster.students} students from OneRoster (bench/results/roster-import.json)`);
console.table({
  'read and check the three files p50 (ms)': roster.readAndCheckMs.p50,
  'into an empty roster p50 (ms), SQLite / PostgreSQL': `${roster.sqlite.intoEmptyRosterMs.p50} / ${roster.postgres.intoEmptyRosterMs.p50}`,
  'again, unchanged p50 (ms), SQLite / PostgreSQL': `${roster.sqlite.unchangedMs.p50} / ${roster.postgres.unchangedMs.p50}`,
  'again, a tenth changed p50 (ms), SQLite / PostgreSQL': `${roster.sqlite.tenthChangedMs.p50} / ${roster.postgres.tenthChangedMs.p50}`,
});

const classJoins = await benchClassJoins();
console.log('\nJoins into lessons by class link, 1,000 members (bench/results/class-joins.json)');
console.table({
  'SQLite: by class link p50 / p99 (ms), target p99 ≤ 50': `${classJoins.sqlite.lessonsByClassLink.p50} / ${classJoins.sqlite.lessonsByClassLink.p99}`,
  'PostgreSQL: by class link p50 / p99 (ms), target p99 ≤ 50': `${classJoins.postgres.lessonsByClassLink.p50} / ${classJoins.postgres.lessonsByClassLink.p99}`,
  'plain rooms by code, same server p50 / p99 (ms)': `${classJoins.sqlite.plainRoomsByCode.p50} / ${classJoins.sqlite.plainRoomsByCode.p99}`,
  'errors, target 0': classJoins.sqlite.lessonsByClassLink.errors + classJoins.postgres.lessonsByClassLink.errors,
});

// The school network lab needs root for its namespaces; elsewhere it is left out, and says so.
if (process.getuid?.() === 0 && process.env.LOOPBACK_ONLY === '1') {
  const networks = await benchNetworks();
  console.log('\nSchool networks (bench/results/networks.json)');
  const first = networks.shareToFirstFrameMs;
  console.table({
    '(a) open LAN: share → first frame p50 / p90 (ms), target p50 ≤ 400': `${first.open.p50} / ${first.open.p90}`,
    '(b) client isolation, p50 / p90 (ms), target ≤ 1500': `${first.isolated.p50} / ${first.isolated.p90}`,
    '(b) the first share in a fresh room (ms): the direct attempt, then the relay': first.isolated.runsMs[0],
    '(b) the first share in a later lesson on that network (ms): relayed from the start':
      first.isolatedLaterLesson.runsMs[0],
    '(c) UDP blocked, TURN over TCP, p50 / p90 (ms), target ≤ 3000': `${first.tcpOnly.p50} / ${first.tcpOnly.p90}`,
    '(e) multicast filtered, STUN, p50 / p90 (ms), target ≤ 400': `${first.noMulticast.p50} / ${first.noMulticast.p90}`,
    [`(d) ${networks.cappedUplink.students} students, ${networks.cappedUplink.uplinkMbit} Mbit/s, longest freeze (ms), target ≤ 2000`]:
      networks.cappedUplink.longestFreezeMs,
  });
} else {
  console.log('\nSchool networks: skipped (the lab needs root inside scripts/loopback-only.sh).');
}
