import type { PlanStep } from '../../../../shared/domain';

/**
 * A change the user previews (dryRun) before applying it: the plan is kept for exactly the values it
 * was made from, and any edit after the preview drops it, so Apply only ever runs what was shown.
 * Create it while a component initialises (it registers an effect).
 */
export class PreviewedChange<Spec> {
  plan = $state<{ spec: Spec; steps: PlanStep[] } | null>(null);

  constructor(
    private readonly current: () => Spec,
    private readonly dryRun: (spec: Spec) => Promise<PlanStep[] | null>,
  ) {
    $effect(() => {
      void JSON.stringify(this.current());
      this.plan = null;
    });
  }

  /** Asks for the plan of the values as they are now. */
  async preview(): Promise<void> {
    const wanted = this.current();
    const steps = await this.dryRun(wanted);
    if (steps) this.plan = { spec: wanted, steps };
  }

  /** Runs the previewed values; true when `run` reports success. */
  async apply(run: (spec: Spec) => Promise<boolean>): Promise<boolean> {
    return this.plan !== null && (await run(this.plan.spec));
  }
}

/**
 * A removal confirmed in a dialog that shows its plan: the plan (dryRun) arrives while the dialog is
 * open, and only for the item still asked about.
 */
export class PreviewedDelete<Item> {
  asked = $state<{ item: Item; steps: PlanStep[] | null } | null>(null);

  constructor(
    private readonly dryRun: (item: Item) => Promise<PlanStep[] | null>,
    private readonly run: (item: Item) => Promise<unknown>,
  ) {}

  async ask(item: Item): Promise<void> {
    this.asked = { item, steps: null };
    const steps = await this.dryRun(item);
    if (this.asked?.item === item) this.asked = { item, steps };
  }

  async confirm(): Promise<void> {
    if (!this.asked) return;
    await this.run(this.asked.item);
    this.asked = null;
  }

  cancel(): void {
    this.asked = null;
  }
}

/** A list typed as free text, split on commas and whitespace. */
export const splitList = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
