/**
 * What travels between browsers and the relay beside the media: the metadata of a call (whose
 * screen, which leg, a screen shown to the class) and the data-channel messages (tile views and
 * quality requests from supervisors, notices from the relay), each with its parser. Pure: no DOM,
 * no Node types. Re-exported by protocol.ts.
 */

/** What a student picked in the browser's capture picker: a whole screen, a window or a tab. */
export type Surface = 'monitor' | 'window' | 'browser';

/** Reads a surface as a browser or a message gives it: anything but the three known ones is null. */
export function surfaceOf(value: unknown): Surface | null {
  return value === 'monitor' || value === 'window' || value === 'browser' ? value : null;
}

/** What a student's call carries besides the screen (PeerJS call metadata), to a supervisor or the relay. */
export interface CallMetadata {
  studentId: string;
  /** What the student shares, as their browser reported it (null when it does not say). */
  surface: Surface | null;
  /** Student to relay: the level of the leg this call is (absent: a thumbnail). */
  leg?: 'full';
  /** Student to relay: the codec this leg is sent in (absent: VP8). */
  codec?: 'H264';
  /** Relay to supervisor: the call forwards the student's screen. */
  relayed?: boolean;
}

/** Reads call metadata; a payload without a student id is null, an unknown surface reads as null. */
export function parseCallMetadata(data: unknown): CallMetadata | null {
  if (typeof data !== 'object' || data === null) return null;
  const { studentId, surface, leg, codec, relayed } = data as Record<string, unknown>;
  if (typeof studentId !== 'string' || studentId === '') return null;
  return {
    studentId,
    surface: surfaceOf(surface),
    ...(leg === 'full' ? { leg: 'full' as const } : {}),
    ...(codec === 'H264' ? { codec: 'H264' as const } : {}),
    ...(relayed === true ? { relayed: true } : {}),
  };
}

/**
 * Student to supervisor or relay, and relay to supervisor, on the call's data channel: what the
 * student picked. A student calls while the browser's picker is still open, before anyone knows
 * what they will pick (such a call's metadata has no surface); this follows once they have.
 */
export interface SurfaceNotice {
  type: 'surface';
  surface: Surface | null;
}

/** Serializes a surface notice. */
export function surfaceMessage(surface: Surface | null): string {
  return JSON.stringify({ type: 'surface', surface } satisfies SurfaceNotice);
}

/** Reads a surface notice; anything else is null. */
export function parseSurfaceNotice(data: unknown): SurfaceNotice | null {
  if (typeof data !== 'string') return null;
  try {
    const message: unknown = JSON.parse(data);
    if (typeof message !== 'object' || message === null || (message as { type?: unknown }).type !== 'surface')
      return null;
    return { type: 'surface', surface: surfaceOf((message as { surface?: unknown }).surface) };
  } catch {
    return null;
  }
}

/**
 * What a call carrying the screen shown to the class carries (PeerJS call metadata): the presenter's
 * call to each student, or to the relay, and the relay's call to each student. The student watches
 * it; they do not answer with their own screen.
 */
export interface PresentationCallMetadata {
  /** The presentation shown when the call was placed: STANDBY_PRESENTATION_ID for none yet. */
  presentationId: string;
  /** The name on the viewer. */
  name: string;
  /**
   * The relay's standing call to a student of a large class: placed before anything is shown and
   * kept between presentations, it carries whatever the room shows next, so Show costs the class a
   * keyframe rather than a handshake each. The student keeps it up until they leave.
   */
  standing?: true;
}

/** The presentation id of a standing call placed while nothing was shown yet. */
export const STANDBY_PRESENTATION_ID = 'standby';

/** Reads presentation call metadata; anything else (a student's screen call, say) is null. */
export function parsePresentationCallMetadata(data: unknown): PresentationCallMetadata | null {
  if (typeof data !== 'object' || data === null) return null;
  const { presentationId, name, standing } = data as Record<string, unknown>;
  if (typeof presentationId !== 'string' || presentationId === '' || typeof name !== 'string') return null;
  return { presentationId, name, ...(standing === true && { standing: true }) };
}

/** How a screen is sent to one supervisor: a cheap wall tile, or full quality while zoomed. */
export type QualityLevel = 'thumbnail' | 'full';

/**
 * Supervisor to student (or to the relay), on the data channel PeerJS opens with every call. The
 * first protocol: a level only. Today's supervisors send a `TileView` instead; a student still
 * honours this one (an old cached app) with the fixed encodings it always meant.
 */
export interface QualityRequest {
  type: 'quality';
  level: QualityLevel;
}

/** Serializes a request. */
export function qualityMessage(level: QualityLevel): string {
  return JSON.stringify({ type: 'quality', level } satisfies QualityRequest);
}

/**
 * Supervisor to student (or to the relay): how this supervisor shows the student's screen right
 * now, so the student sends no more than that (and nothing at all while it is not seen).
 */
export interface TileView {
  type: 'view';
  /** 'full' while the supervisor zooms into this student. */
  level: QualityLevel;
  /** Whether any of it can be seen: on screen, in a visible tab, not covered by the full view. */
  visible: boolean;
  /** Size of the tile's picture in device pixels (CSS pixels × devicePixelRatio). */
  widthPx: number;
  heightPx: number;
  /** How many tiles this supervisor shows at once: the more, the lower each one's frame rate. */
  tilesShown: number;
}

/** Largest picture, in device pixels wide, a thumbnail is sent at; a larger tile gets the full leg. */
export const THUMBNAIL_MAX_WIDTH_PX = 640;

/** Serializes a tile view. */
export function viewMessage(view: Omit<TileView, 'type'>): string {
  return JSON.stringify({ type: 'view', ...view } satisfies TileView);
}

/** Which of a student's legs a tile needs: the full one while zoomed or when shown larger than a thumbnail. */
export function legForView(view: Pick<TileView, 'level' | 'widthPx'>): QualityLevel {
  return view.level === 'full' || view.widthPx > THUMBNAIL_MAX_WIDTH_PX ? 'full' : 'thumbnail';
}

/** Reads what a supervisor asks of a student: a tile view or a bare quality request; anything else is null. */
export function parseSupervisorMessage(data: unknown): QualityRequest | TileView | null {
  if (typeof data !== 'string') return null;
  let message: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(data);
    if (typeof parsed !== 'object' || parsed === null) return null;
    message = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  const level = message.level;
  if (level !== 'thumbnail' && level !== 'full') return null;
  if (message.type === 'quality') return { type: 'quality', level };
  if (message.type !== 'view' || typeof message.visible !== 'boolean') return null;
  const size = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null);
  const widthPx = size(message.widthPx);
  const heightPx = size(message.heightPx);
  const tilesShown = size(message.tilesShown);
  if (widthPx === null || heightPx === null || tilesShown === null) return null;
  return {
    type: 'view',
    level,
    visible: message.visible,
    widthPx: Math.round(widthPx),
    heightPx: Math.round(heightPx),
    tilesShown: Math.round(tilesShown),
  };
}

/** The codecs a screen is sent in. */
export type VideoCodec = 'VP8' | 'H264';

/** One call from a student to the relay: a quality level in a codec. */
export interface RelayLeg {
  level: QualityLevel;
  codec: VideoCodec;
}

/** Relay to student, on the same data channel. */
export type RelayNotice =
  /** The supervisors receiving this student's screen through the relay right now. */
  | { type: 'viewers'; supervisorIds: string[] }
  /** Whether some supervisor zooms into this student, so a full-quality VP8 leg is wanted (for apps from before `legs`). */
  | { type: 'full-leg'; wanted: boolean }
  /** The legs wanted besides the first call (the VP8 thumbnail): full quality, H.264, or both. */
  | { type: 'legs'; legs: RelayLeg[] };

/** Serializes a relay notice. */
export function relayNoticeMessage(notice: RelayNotice): string {
  return JSON.stringify(notice);
}

/** Reads a relay notice; anything else is null. */
export function parseRelayNotice(data: unknown): RelayNotice | null {
  if (typeof data !== 'string') return null;
  try {
    const message = JSON.parse(data) as Partial<{
      type: string;
      supervisorIds: unknown;
      wanted: unknown;
      legs: unknown;
    }>;
    if (message.type === 'viewers' && Array.isArray(message.supervisorIds)) {
      return {
        type: 'viewers',
        supervisorIds: message.supervisorIds.filter((id): id is string => typeof id === 'string'),
      };
    }
    if (message.type === 'full-leg' && typeof message.wanted === 'boolean')
      return { type: 'full-leg', wanted: message.wanted };
    if (message.type === 'legs' && Array.isArray(message.legs)) {
      const legs = (message.legs as unknown[]).flatMap((leg): RelayLeg[] => {
        const { level, codec } = (typeof leg === 'object' && leg !== null ? leg : {}) as Record<string, unknown>;
        if (level !== 'thumbnail' && level !== 'full') return [];
        return codec === 'VP8' || codec === 'H264' ? [{ level, codec }] : [];
      });
      return { type: 'legs', legs };
    }
    return null;
  } catch {
    return null;
  }
}
