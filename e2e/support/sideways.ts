import type { Page } from '@playwright/test';

/** Where the page is wider than the window (document.documentElement.scrollWidth > clientWidth), naming what sticks out. */
export async function sidewaysScroll(page: Page, where: string): Promise<string[]> {
  const { scrollWidth, clientWidth, wide } = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out = (e: Element) => e.getBoundingClientRect().right > width + 0.5;
    // The innermost elements that stick out, outside any box that scrolls on its own.
    const scrolls = (e: Element | null): boolean =>
      !!e && e !== document.body && (['auto', 'scroll', 'hidden'].includes(getComputedStyle(e).overflowX) || scrolls(e.parentElement));
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => out(e) && ![...e.children].some(out) && !scrolls(e.parentElement))
      .slice(0, 5)
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}.${(e.getAttribute('class') ?? '').split(' ').slice(0, 4).join('.')} "${(e.textContent ?? '').slice(0, 40)}"`,
      );
    return { scrollWidth: document.documentElement.scrollWidth, clientWidth: width, wide };
  });
  return scrollWidth <= clientWidth ? [] : [`${where}: the page is ${scrollWidth}px wide in a ${clientWidth}px window: ${wide.join('; ')}`];
}
