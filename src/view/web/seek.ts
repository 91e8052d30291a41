// Seeking while the slider is dragged: at most one frame-map request per animation frame
// and at most one in flight; positions passed over while one is in flight are dropped for
// the latest. Pure (the clock is injected) so it is tested without a browser.

export class SeekScheduler {
  private want: number | null = null;
  private shown: number | null = null;
  private busy = false;
  private scheduled = false;
  /** Requests issued so far. */
  requests = 0;

  constructor(
    private readonly load: (n: number) => Promise<void>,
    private readonly nextFrame: (cb: () => void) => void,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  seek(n: number): void {
    this.want = n;
    this.schedule();
  }

  get target(): number | null {
    return this.want;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.nextFrame(() => this.tick());
  }

  private tick(): void {
    this.scheduled = false;
    if (this.busy || this.want === null || this.want === this.shown) return;
    const n = this.want;
    this.busy = true;
    this.requests++;
    this.load(n)
      .catch(this.onError)
      .finally(() => {
        this.busy = false;
        this.shown = n;
        if (this.want !== this.shown) this.schedule();
      });
  }
}
