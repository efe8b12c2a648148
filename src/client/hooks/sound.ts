/**
 * The teacher's optional sounds: two short notes when a student newly stops sharing or raises a
 * hand. Web Audio only; plays nothing until the teacher turns a sound on (a tap allows audio).
 */
import { useEffect, useRef } from 'preact/hooks';

/** Two notes, in hertz, played one after the other. */
export type TwoNotes = readonly [number, number];

/** Falling: a student stopped sharing. */
export const STOP_NOTES: TwoNotes = [660, 440];
/** Rising: a student raised their hand. */
export const HAND_NOTES: TwoNotes = [523, 784];

/**
 * Plays `notes` each time an id appears in `ids` that was not there at the last render (a student
 * who stopped sharing, a hand newly raised), while `enabled`. Ids present at the first render are
 * not new: opening the room with stopped students is silent.
 */
export function useSoundForNewIds(enabled: boolean, ids: readonly string[], notes: TwoNotes): void {
  const seen = useRef<ReadonlySet<string> | null>(null);
  const audio = useRef<AudioContext | null>(null);
  useEffect(() => {
    // Made when the teacher turns the sound on (a tap), as browsers allow audio only after one.
    if (enabled && !audio.current && typeof AudioContext === 'function') audio.current = new AudioContext();
  }, [enabled]);
  const key = ids.join();
  useEffect(() => {
    const newIds = seen.current ? ids.filter((id) => !seen.current!.has(id)) : [];
    seen.current = new Set(ids);
    if (enabled && newIds.length > 0 && audio.current) playTwoNotes(audio.current, notes);
  }, [key]);
}

/** Two short sine tones, 180 ms apart, quiet and fading. */
function playTwoNotes(context: AudioContext, notes: TwoNotes): void {
  void context.resume().catch(() => undefined);
  const start = context.currentTime;
  for (const [offsetS, hz] of [
    [0, notes[0]],
    [0.18, notes[1]],
  ] as const) {
    const tone = context.createOscillator();
    const gain = context.createGain();
    tone.frequency.value = hz;
    gain.gain.setValueAtTime(0.15, start + offsetS);
    gain.gain.exponentialRampToValueAtTime(0.001, start + offsetS + 0.16);
    tone.connect(gain).connect(context.destination);
    tone.start(start + offsetS);
    tone.stop(start + offsetS + 0.17);
  }
}
