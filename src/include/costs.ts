// Every latency and CPU cost the simulated kernel charges, in one place (a header, like
// include/linux/swapctl.h holds the reclaim tunables). docs/model.md ("Costs") gives the
// source or the reason for each number; `--cost NAME=VALUE` and a scenario's `latencies`
// override them. All integers: µs for I/O and whole operations, ns for the per-step walks
// (a step of a list walk on a 486 is well under a microsecond; the kernel adds steps up in
// ns and charges whole µs, carrying the rest, so no float shapes the run).

export interface Costs {
  /** Random 4 KiB read from a 1997 IDE disk (swap-in or a local file page): seek + half a turn + transfer. */
  diskReadUs: number;
  /** 4 KiB write to the same disk (swap-out, file write-back): it occupies the disk as long as a read. */
  diskWriteUs: number;
  /** CPU time to queue a write (rw_swap_page / ll_rw_page, or the copy into the buffer cache's request). */
  writeSubmitUs: number;
  /** One 4 KiB page over NFS on 10 Mbit/s Ethernet (rsize 4096: one READ RPC per page). */
  nfsReadUs: number;
  /** copy_page of 4 KiB on a 486 (COW, private file copy, a flip). */
  pageCopyUs: number;
  /** Entering and leaving the fault handler (trap, handle_mm_fault's walk, return). */
  faultUs: number;
  /** One reference by a user process (a burst of instructions touching one page). */
  accessUs: number;
  /** kswapd CPU per page the hand (or a list scanner) looks at. */
  scanPageUs: number;
  /** kswapd CPU per pte tested (accessed bit read and cleared). */
  scanPteUs: number;
  /** fork's fixed cost (task struct, mm copy) and per-pte cost of copy_page_range / zap_page_range. */
  forkUs: number;
  ptePerUs: number;
  /** One entry walked by pte_link / pte_unlink (the seed's unlink walks the chain from its head). */
  chainStepNs: number;
  /** One pte slot passed by the old kswapd's page-table walk (swap_out_pmd), present or not. */
  ptSlotNs: number;
  /** pte_getpmd -> pmd_getpgd -> pgd_getmm -> find_vma: the clock finding a pte's mm and vma. */
  ownerWalkNs: number;
  /** One vma visited by an objrmap / anon_vma walk (vma_address + page_check_address). */
  vmaVisitNs: number;
}

export const DEFAULT_COSTS: Costs = {
  diskReadUs: 18000,
  diskWriteUs: 18000,
  writeSubmitUs: 50,
  nfsReadUs: 4700,
  pageCopyUs: 150,
  faultUs: 20,
  accessUs: 2,
  scanPageUs: 2,
  scanPteUs: 1,
  forkUs: 300,
  ptePerUs: 1,
  chainStepNs: 300,
  ptSlotNs: 200,
  ownerWalkNs: 1500,
  vmaVisitNs: 1000,
};

export type CostName = keyof Costs;
export const COST_NAMES = Object.keys(DEFAULT_COSTS) as CostName[];

export const isCostName = (name: string): name is CostName => Object.hasOwn(DEFAULT_COSTS, name);

/** Largest value a cost may take: an hour in µs, far past any real latency, still an exact integer. */
export const MAX_COST = 3_600_000_000;
