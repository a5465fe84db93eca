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

/** A list typed as free text, split on commas and whitespace. */
export const splitList = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
