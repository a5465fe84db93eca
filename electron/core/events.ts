import type { EventName, Events } from '../../shared/api';

type Listener<E extends EventName> = (payload: Events[E]) => void;

/** Typed in-process event bus; transports forward what it emits to their clients. */
export class EventBus {
  private readonly listeners = new Map<EventName, Set<Listener<EventName>>>();
  private readonly anyListeners = new Set<<E extends EventName>(event: E, payload: Events[E]) => void>();

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<EventName>);
    return () => set.delete(listener as Listener<EventName>);
  }

  /** Every event, for transports that forward all of them. */
  onAny(listener: <E extends EventName>(event: E, payload: Events[E]) => void): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const l of this.listeners.get(event) ?? []) l(payload);
    for (const l of this.anyListeners) l(event, payload);
  }
}
