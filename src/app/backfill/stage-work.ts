import type { Chunk, ChunkId } from '../../domain/backfill-plan-chunks.ts';
import type { PlanId } from '../../domain/backfill-plan-types.ts';
import type { Exchange, InstrumentToken } from '../../domain/instrument.ts';
import type { ChunkFileStore } from '../../ports/backfill-stages/chunk-file-store.ts';
import type { ParentMessage, PublishItem } from '../../ports/backfill-stages/stage-messages.ts';
import type { StageName } from '../../ports/backfill-stages/stage-names.ts';

/**
 * The job's book of who does what: the chunks each stage still has to do (a chunk is with at most
 * one stage: fetching, or fetched and publishing), and what each stage process has been sent and
 * not yet reported, in the order it works: the head of that queue is the chunk in its hands.
 */
export class StageWork {
  private readonly planId: PlanId;
  private readonly chunks: readonly Chunk[];
  private readonly files: ChunkFileStore;
  private readonly exchangeOf: (token: InstrumentToken) => Exchange;
  private readonly byId: ReadonlyMap<ChunkId, Chunk>;
  private readonly needs: Record<StageName, Set<ChunkId>> = { fetch: new Set(), publish: new Set() };
  private readonly queues: Record<StageName, ChunkId[]> = { fetch: [], publish: [] };

  constructor(plan: {
    readonly planId: PlanId;
    readonly chunks: readonly Chunk[];
    readonly files: ChunkFileStore;
    readonly exchangeOf: (token: InstrumentToken) => Exchange;
  }) {
    this.planId = plan.planId;
    this.chunks = plan.chunks;
    this.files = plan.files;
    this.exchangeOf = plan.exchangeOf;
    this.byId = new Map(plan.chunks.map((c) => [c.id, c]));
  }

  /** The chunk is now `stage`'s to do (and no longer the other stage's). */
  assign(stage: StageName, id: ChunkId): void {
    this.drop(id);
    this.needs[stage].add(id);
  }

  /** The chunk is settled: no stage has anything to do with it. */
  drop(id: ChunkId): void {
    this.needs.fetch.delete(id);
    this.needs.publish.delete(id);
  }

  has(stage: StageName, id: ChunkId): boolean {
    return this.needs[stage].has(id);
  }

  count(stage: StageName): number {
    return this.needs[stage].size;
  }

  /** The stage process reported on the chunk: it is out of its hands. */
  reported(stage: StageName, id: ChunkId): void {
    const queue = this.queues[stage];
    const at = queue.indexOf(id);
    if (at >= 0) queue.splice(at, 1);
  }

  /** The process is gone: what it held is forgotten; the chunk that was in its hands, if any. */
  lost(stage: StageName): ChunkId | undefined {
    const inHand = this.queues[stage][0];
    this.queues[stage] = [];
    return inHand;
  }

  /** The running process of `stage` was sent the chunk (`messageFor`): it now holds it. */
  held(stage: StageName, id: ChunkId): void {
    this.queues[stage].push(id);
  }

  /** The messages that give a new process everything its stage has to do, in plan order. */
  initialWork(stage: StageName): readonly ParentMessage[] {
    const ids = this.chunks.filter((c) => this.needs[stage].has(c.id)).map((c) => c.id);
    this.queues[stage] = [...ids];
    return ids.length === 0 ? [] : [this.messageFor(stage, ids)];
  }

  fileOf(id: ChunkId): string {
    return this.files.fileOf(this.planId, id);
  }

  /** The chunk's file, and the exchange its candles were fetched from, for their ticks. */
  private publishItem(chunkId: ChunkId): PublishItem {
    const chunk = this.byId.get(chunkId);
    const file = this.fileOf(chunkId);
    return chunk === undefined
      ? { chunkId, file }
      : { chunkId, file, exchange: this.exchangeOf(chunk.token) };
  }

  messageFor(stage: StageName, ids: readonly ChunkId[]): ParentMessage {
    if (stage === 'publish')
      return { type: 'publish', items: ids.map((chunkId) => this.publishItem(chunkId)) };
    return {
      type: 'fetch',
      items: ids
        .map((id) => this.byId.get(id))
        .filter((c): c is Chunk => c !== undefined)
        .map((chunk) => ({ chunk, exchange: this.exchangeOf(chunk.token), file: this.fileOf(chunk.id) })),
    };
  }
}
