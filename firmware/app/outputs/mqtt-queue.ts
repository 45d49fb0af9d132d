/**
 * The bounded outgoing queue between the MQTT output and its connection. Meter reading never
 * waits on it: a message for a topic already queued replaces the older one (a newer state makes
 * the old one worthless, a newer config supersedes the old), and when the queue is full the oldest
 * non-retained message (an old state) is dropped first, then the oldest of any kind. The
 * connection takes messages while it can (`send` returns false when its buffer is full); the rest
 * waits for the next flush.
 */
export interface OutgoingMessage {
  topic: string;
  payload: string;
  retain: boolean;
}

export const DEFAULT_QUEUE_MESSAGES = 64;

export class OutgoingQueue {
  private items: OutgoingMessage[] = [];
  private droppedCount = 0;

  constructor(private readonly maxMessages = DEFAULT_QUEUE_MESSAGES) {}

  put(message: OutgoingMessage): void {
    for (let i = 0; i < this.items.length; i++) {
      if (this.items[i].topic === message.topic) {
        this.items.splice(i, 1);
        break;
      }
    }
    this.items.push(message);
    if (this.items.length <= this.maxMessages) return;
    let victim = 0;
    for (let i = 0; i < this.items.length; i++) {
      if (!this.items[i].retain) {
        victim = i;
        break;
      }
    }
    this.items.splice(victim, 1);
    this.droppedCount++;
  }

  /** Sends in order until `send` refuses one; returns how many went out. */
  flush(send: (message: OutgoingMessage) => boolean): number {
    let sent = 0;
    while (this.items.length > 0) {
      if (!send(this.items[0])) break;
      this.items.shift();
      sent++;
    }
    return sent;
  }

  clear(): void {
    this.items = [];
  }

  size(): number {
    return this.items.length;
  }

  /** Messages dropped because the queue was full (since start). */
  dropped(): number {
    return this.droppedCount;
  }
}
