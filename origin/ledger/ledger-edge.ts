import type { Publication, ResumeAnswer } from "../../protocol/publication.ts";
import { stateAsJson } from "../../protocol/state-json.ts";
import type { CompletionQueue } from "./completion-queue.ts";
import type { EdgeRegion } from "./ledger-store.ts";
import type { Publisher } from "./publisher.ts";
import type { Sequencer } from "./sequencer.ts";

/** A region's hub as the ledger sees it: it takes publications and says when nobody is left under it. */
export interface PublicationHub {
  publish(publication: Publication): Promise<{ active: boolean }>;
}

/**
 * The root of the match's publication tree, as the ledger uses it: storage/tree-root.ts's
 * `TreeRoot` over the `edge_regions` table, which the Durable Object builds (origin/ may not
 * import storage/) and hands in.
 */
export interface RegionRoot {
  register(region: string, now: number): void;
  report(region: string, viewers: number, confirmedSeq: number, now: number): void;
  unregister(region: string): void;
  forgetAll(): number;
  regions(): EdgeRegion[];
  viewers(now: number, freshMs: number): number;
  publishToHubs(
    regions: readonly string[],
    send: (hub: PublicationHub) => Promise<{ active: boolean }>,
    label: string,
  ): Promise<void>;
}

/** Distinct resume answers kept before the cache starts afresh. */
const RESUME_CACHE_MAX = 64;

/**
 * The ledger's side of the edge: the regions whose hub takes this match (registered, reporting,
 * published to), and the resume answers the rooms ask for when they find a hole. Identical
 * concurrent asks from many rooms share one answer until the next publication.
 */
export class LedgerEdge {
  readonly #resumes = new Map<string, ResumeAnswer>();

  constructor(
    private readonly root: RegionRoot,
    private readonly publisher: Publisher,
    private readonly completing: CompletionQueue,
    /** How long a region's viewer count counts after its report. */
    private readonly viewersFreshMs: number,
  ) {}

  /** A region's hub has its first viewer (or child shard): publish to it from now on. */
  register(region: string, now: number): void {
    this.root.register(region, now);
  }

  /** A hub's periodic report: its region's viewers and the newest seq it holds. */
  report(region: string, viewers: number, confirmedSeq: number, now: number): void {
    this.root.report(region, viewers, confirmedSeq, now);
  }

  /** A region's hub has no viewers left: its count leaves the match's total at once. */
  unregister(region: string): void {
    this.root.unregister(region);
  }

  /** Forgets every region; each registers again with its next report. Answers how many there were. */
  forgetAll(): number {
    return this.root.forgetAll();
  }

  regions(): EdgeRegion[] {
    return this.root.regions();
  }

  /** Viewers over the regions that reported recently: a silent region's count has expired. */
  viewers(now: number): number {
    return this.root.viewers(now, this.viewersFreshMs);
  }

  /**
   * One message per registered region, to its hub; hubs forward to their shards. A silent
   * region is not dropped here: the lag report shows it STOPPED, and its count has expired.
   */
  async publish(publication: Publication): Promise<void> {
    const regions = this.root.regions().map((r) => r.region);
    await this.root.publishToHubs(regions, (hub) => hub.publish(publication), publication.matchId);
  }

  /** A new version was published: every cached resume answer is out of date. */
  published(): void {
    this.#resumes.clear();
  }

  /**
   * The published patches since `since` (of `epoch`), or the snapshot when the chain cannot be
   * replayed. Up to the newest version whose delta is complete: the ones after it reach the
   * rooms by their own publication, which follows their completion.
   */
  resume(sequencer: Sequencer, epoch: string, since: number): ResumeAnswer {
    const head = this.completing.completeThrough(sequencer.cursor);
    const key = `${epoch}:${since}:${head}`;
    const cached = this.#resumes.get(key);
    if (cached) return cached;
    const patches = this.publisher.patchesSince(epoch, since, head);
    const answer: ResumeAnswer = patches
      ? { kind: "patches", epoch, seq: head, patches }
      : {
          kind: "snapshot",
          epoch: this.publisher.epoch(),
          seq: head,
          state: stateAsJson(sequencer.current()),
        };
    if (this.#resumes.size > RESUME_CACHE_MAX) this.#resumes.clear();
    this.#resumes.set(key, answer);
    return answer;
  }
}
