/**
 * `relay-nodes.json` in DATA_DIR (0600): the identity this server gave each connected relay node (its
 * PeerServer id and a SHA-256 hash of its token, never the token), so the next process can take a
 * node back under it after a restart or a crash. Only the relay host writes it; nothing else reads it.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDataDir } from '../../store/data-dir.ts';

/** The file's name inside DATA_DIR. */
export const NODE_FILE = 'relay-nodes.json';

/** One node's saved identity. */
export interface SavedNode {
  readonly peerId: string;
  /** `hashToken` of its PeerServer token: the node proves the identity with the token itself. */
  readonly tokenHash: string;
  /** The name it went by, for the operators' log. */
  readonly name: string;
}

/** The nodes' file, read at start and written as nodes are welcomed and forgotten. */
export interface NodeFile {
  /** The identities saved when the file was opened: the nodes of the last process. */
  readonly saved: readonly SavedNode[];
  /** Saves a node's identity. */
  record(node: SavedNode): void;
  /** Forgets a node's identity (it left, its connection dropped, or it did not come back in time). */
  forget(peerId: string): void;
}

/** Reads the file in `dataDir`; a damaged file is started afresh (its nodes get fresh identities). */
export async function openNodeFile(dataDir: string): Promise<NodeFile> {
  const file = join(await openDataDir(dataDir), NODE_FILE);
  const nodes = new Map<string, SavedNode>();
  if (existsSync(file)) {
    try {
      const saved = (JSON.parse(readFileSync(file, 'utf8')) as { nodes?: unknown }).nodes;
      if (Array.isArray(saved))
        for (const n of saved as Record<string, unknown>[])
          if (typeof n.peerId === 'string' && typeof n.tokenHash === 'string' && typeof n.name === 'string')
            nodes.set(n.peerId, { peerId: n.peerId, tokenHash: n.tokenHash, name: n.name });
    } catch {
      // Half-written or edited by hand: its nodes connect back as new ones, their rooms placed again.
    }
  }
  const saved = [...nodes.values()];
  const write = () => {
    const temporary = `${file}.tmp`;
    writeFileSync(temporary, JSON.stringify({ nodes: [...nodes.values()] }), { mode: 0o600 });
    renameSync(temporary, file);
  };
  write();
  return {
    saved,
    record(node) {
      nodes.set(node.peerId, node);
      write();
    },
    forget(peerId) {
      if (nodes.delete(peerId)) write();
    },
  };
}
