import { describe, expect, it } from 'vitest';
import { presentationAudience, stageAudience, type AudienceMember } from '../../src/shared/presentation-audience.ts';
import { PEER_TO_PEER_ROUTES, type Routes } from '../../src/shared/protocol.ts';

const routes = (patch: Partial<Routes> = {}): Routes => ({ ...PEER_TO_PEER_ROUTES, ...patch });
const relayed = routes({ presentationTransport: 'relay', relayPeerId: 'relay-1' });

function member(id: string, patch: Partial<AudienceMember> = {}): AudienceMember {
  return { id, role: 'student', connected: true, peerId: `peer-${id}`, ...patch };
}

const ids = (audience: { throughRelay: AudienceMember[]; direct: AudienceMember[] }) => ({
  throughRelay: audience.throughRelay.map((m) => m.id),
  direct: audience.direct.map((m) => m.id),
});

describe('who watches the screen shown to the class', () => {
  const members = [member('lee', { role: 'supervisor' }), member('ada'), member('bo'), member('cy')];

  it('is every connected student but the one shown, through the relay when the routes say so', () => {
    expect(ids(presentationAudience({ presenterId: 'lee', studentId: 'ada' }, members, relayed))).toEqual({
      throughRelay: ['bo', 'cy'],
      direct: [],
    });
    expect(ids(presentationAudience({ presenterId: 'lee', studentId: null }, members, routes()))).toEqual({
      throughRelay: [],
      direct: ['ada', 'bo', 'cy'],
    });
  });

  it('reaches a student who cannot use the relay, and all from a presenter who cannot, directly', () => {
    const someDirect = { ...relayed, directMembers: ['bo'] };
    expect(ids(presentationAudience({ presenterId: 'lee' }, members, someDirect))).toEqual({
      throughRelay: ['ada', 'cy'],
      direct: ['bo'],
    });
    const presenterDirect = { ...relayed, directMembers: ['lee'] };
    expect(ids(presentationAudience({ presenterId: 'lee' }, members, presenterDirect)).direct).toEqual([
      'ada',
      'bo',
      'cy',
    ]);
  });

  it('sends everyone directly while the routes are not known yet', () => {
    expect(ids(presentationAudience({ presenterId: 'lee' }, members, null))).toEqual({
      throughRelay: [],
      direct: ['ada', 'bo', 'cy'],
    });
  });

  it('leaves out a student who cannot answer: offline, or with no peer id to call', () => {
    const audience = [member('ada', { connected: false }), member('bo', { peerId: undefined }), member('cy')];
    expect(ids(presentationAudience({ presenterId: 'lee' }, audience, relayed))).toEqual({
      throughRelay: ['cy'],
      direct: [],
    });
    expect(ids(presentationAudience({ presenterId: 'lee' }, audience, routes()))).toEqual({
      throughRelay: [],
      direct: ['cy'],
    });
  });
});

describe('whom the relay keeps a standing call to, before anything is shown', () => {
  const lee = member('lee', { role: 'supervisor' });
  const students = [member('ada'), member('bo'), member('cy', { connected: false }), member('di', { peerId: null })];
  const stage = (members: AudienceMember[], r: Routes) => stageAudience(members, r).map((m) => m.id);

  it('is every connected student who would watch through the relay, while a teacher who would present that way is here', () => {
    expect(stage([lee, ...students], relayed)).toEqual(['ada', 'bo']);
    expect(stage([lee, ...students], { ...relayed, directMembers: ['bo'] })).toEqual(['ada']);
  });

  it('is nobody in a room that shows peer to peer, without a connected teacher, or whose teachers cannot reach the relay', () => {
    expect(stage([lee, ...students], routes())).toEqual([]);
    expect(stage([{ ...lee, connected: false }, ...students], relayed)).toEqual([]);
    expect(stage([lee, ...students], { ...relayed, directMembers: ['lee'] })).toEqual([]);
  });
});
