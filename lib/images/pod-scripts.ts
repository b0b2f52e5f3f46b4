// Names the image programs (lib/pod/programs/node/inventory.js, transfer.js, marks.js) and the
// dashboard share.

/** The tar entry in which transfer.js names the files of a page it picked itself (JSON [{p, s, m, i}]). */
export const PAGE_ENTRY = '.openab-page';

/** Where the dashboard keeps its own notes on the agent's volume, relative to the Codex home. */
export const MARKS_FILE = 'openab-dashboard/deliveries.jsonl';
