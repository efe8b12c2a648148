/** The blocked page: says which lesson blocked the page and whom to ask, as text, from its query string. */
import { readBlockedBy } from '../blocked-link.ts';

const { lesson, ask } = readBlockedBy(location.search);
document.getElementById('lesson')!.textContent = lesson === '' ? 'Your lesson' : `Your lesson “${lesson}”`;
document.getElementById('ask')!.textContent = ask === '' ? 'your teacher' : ask;
