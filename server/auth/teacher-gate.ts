/**
 * The check before creating a room or a class: a signed-in teacher passes as they are, anyone else
 * gives the school's teacher passcode (when one is set). The one place both routes ask.
 */
import type { Request, Response } from 'express';
import { requirePasscode, type PasscodeGate } from '../http/passcode.ts';
import type { Caller, SignIn } from './sign-in.ts';

/** Lets a teacher on; resolves with the signed-in caller (teacher or not, for the record), or null. */
export async function requireTeacher(
  deps: { signIn: Pick<SignIn, 'caller'>; passcode: PasscodeGate },
  req: Request,
  res: Response,
  passcode: string | undefined,
): Promise<Caller | null> {
  const caller = await deps.signIn.caller(req);
  if (!caller?.teaches) await requirePasscode(deps.passcode, req, res, passcode);
  return caller;
}
