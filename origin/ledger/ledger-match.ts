import { ENGINE_VERSION } from "../../scoring/index.ts";
import type { LedgerConfig } from "./ledger-config.ts";
import type { LedgerStore } from "./ledger-store.ts";
import { newEpoch } from "./publisher.ts";
import { Sequencer } from "./sequencer.ts";

/**
 * Which match a ledger holds, and its sequencer. A ledger is empty until its first signed event
 * names the match (`sequencerFor` records it, with the engine and a first epoch); from then on
 * it takes that match's events only.
 */
export class LedgerMatch {
  #sequencer: Sequencer | null = null;

  constructor(
    private readonly store: LedgerStore,
    private readonly config: LedgerConfig,
  ) {}

  /** The match's id, or null while the ledger is empty. */
  id(): string | null {
    return this.store.getMeta("matchId");
  }

  epoch(): string {
    return this.store.getMeta("epoch") ?? "0";
  }

  /** The sequencer of `matchId`, recording the match at its first write; another match's id is an error. */
  sequencerFor(matchId: string): Sequencer {
    const known = this.id();
    if (known === null) {
      this.store.setMeta("matchId", matchId);
      this.store.setMeta("engine", ENGINE_VERSION);
      this.store.setMeta("epoch", newEpoch());
    } else if (known !== matchId) {
      throw new Error(`ledger for ${known} was sent events of ${matchId}`);
    }
    this.#sequencer ??= new Sequencer(this.store, matchId, this.config);
    return this.#sequencer;
  }

  /** The sequencer of the match this ledger holds, or null while it holds none. */
  existing(): Sequencer | null {
    const matchId = this.id();
    return matchId === null ? null : this.sequencerFor(matchId);
  }

  /** The ledger's storage was emptied (`MatchLedger.remove`): a later event starts a match afresh. */
  forget(): void {
    this.#sequencer = null;
  }
}
