// The node's sink for storage events. It is subscribed before PeerStorage.open runs, because
// open() itself emits events (snapshot-swap-recovered, when it finds a snapshot's database
// swap that a crash interrupted). The services that consume them exist only
// once storage is open: events that come earlier wait here and are handed over, in order,
// when the consumer attaches.
import type { Logger } from 'pino'
import type { StorageEvent } from '../storage/index.js'

export type StorageEventConsumer = (e: StorageEvent) => void

/** Events kept for a consumer not attached yet; beyond this many the oldest go (a log says so). */
const MAX_HELD = 10_000

export class StorageEventRelay {
  private consumer: StorageEventConsumer | undefined
  private held: StorageEvent[] = []
  private droppedWhileHeld = 0

  constructor(private readonly log: Logger) {}

  /** The listener to give PeerStorage.open. */
  readonly listener = (e: StorageEvent): void => {
    if (e.type === 'log-gc') this.log.debug({ event: 'log-deleted', deletedBelow: e.deletedBelow }, 'raft log compacted on disk')
    if (e.type === 'log-gc-failed') this.log.warn({ err: e.error }, 'raft log range delete failed')
    if (this.consumer) return this.consumer(e)
    if (this.held.length >= MAX_HELD) {
      this.held.shift()
      this.droppedWhileHeld++
    }
    this.held.push(e)
  }

  /** Attaches the consumer and hands it every event that came before. */
  attach(consumer: StorageEventConsumer): void {
    this.consumer = consumer
    const held = this.held
    this.held = []
    if (this.droppedWhileHeld > 0) this.log.warn({ dropped: this.droppedWhileHeld }, 'storage events dropped before the services started')
    for (const e of held) consumer(e)
  }
}
