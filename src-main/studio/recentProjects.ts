import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RecentProject } from '../contract/index.js';
import { projectLayout } from '../project/index.js';
import { writeJsonAtomic } from '../util/atomicWrite.js';
import { makeFolder } from '../util/folders.js';
import { missingProjectCard, readProjectCard } from './projectCard.js';

const RECENT_FILE = 'recent.json';
const MAX_RECENT = 10;

interface RecentEntry {
  path: string;
  name: string;
  openedAt: string;
}

/** `<stateDir>/recent.json`: the last projects opened, newest first, at most ten. */
export class RecentProjects {
  private readonly file: string;
  /** Writes one at a time, so two quick opens cannot lose one another's entry. */
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly stateDir: string) {
    this.file = join(stateDir, RECENT_FILE);
  }

  /** Newest first, each with whether its folder is still a project and its card (counts, thumbnail). */
  async list(): Promise<RecentProject[]> {
    await this.writes;
    const entries = await this.read();
    return Promise.all(
      entries.map(async (entry) => {
        const exists = await isProjectFolder(entry.path);
        const card = exists ? await readProjectCard(entry.path) : missingProjectCard();
        return { ...entry, exists, ...card };
      }),
    );
  }

  /** Puts a project first (once), stamped now. */
  add(path: string, name: string): Promise<void> {
    return this.change((entries) => {
      const root = resolve(path);
      return [
        { path: root, name, openedAt: new Date().toISOString() },
        ...entries.filter((entry) => entry.path !== root),
      ];
    });
  }

  /** Takes a project off the list; its folder is not touched. */
  remove(path: string): Promise<void> {
    const root = resolve(path);
    return this.change((entries) => entries.filter((entry) => entry.path !== root));
  }

  private change(edit: (entries: RecentEntry[]) => RecentEntry[]): Promise<void> {
    const write = this.writes.then(async () => {
      const entries = edit(await this.read());
      await makeFolder(this.stateDir);
      await writeJsonAtomic(this.file, entries.slice(0, MAX_RECENT));
    });
    this.writes = write.catch(() => undefined);
    return write;
  }

  /** A missing or damaged file is an empty list: the list is a convenience, never worth failing over. */
  private async read(): Promise<RecentEntry[]> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.file, 'utf8'));
    } catch {
      return [];
    }
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (e): e is RecentEntry =>
        typeof e === 'object' &&
        e !== null &&
        typeof (e as RecentEntry).path === 'string' &&
        typeof (e as RecentEntry).name === 'string' &&
        typeof (e as RecentEntry).openedAt === 'string',
    );
  }
}

async function isProjectFolder(root: string): Promise<boolean> {
  try {
    return (await stat(projectLayout(root).projectFile)).isFile();
  } catch {
    return false;
  }
}
