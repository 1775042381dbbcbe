"""What a page drawn in Chromium is asked to do before it is read: its scripts' tabs and pagers clicked.

A list drawn by script often shows one year or one page until a tab (`onclick="loadYear(2022)"`) or a pager
(`href="javascript:load(2)"`) is clicked. After load, each such control is clicked in turn (a bounded number,
never one whose script navigates away: those URLs are candidates already), and every link the page shows
after a click is kept in a hidden list appended to the page, so the spider reads them with its other links.
"""

from __future__ import annotations

from typing import Any

from scrapy_playwright.page import PageMethod

MAX_CLICKS = 24
CLICK_WAIT_MS = 400
GOTO = {"wait_until": "networkidle"}

# Runs in the page; returns how many controls it clicked.
CLICK_THROUGH = """async ([maxClicks, waitMs]) => {
  const seen = new Set();
  const keep = document.createElement('div');
  keep.id = 'govarchive-clicked';
  keep.hidden = true;
  const collect = () => {
    for (const a of document.querySelectorAll('a[href]')) {
      if (keep.contains(a) || a.href.startsWith('javascript:') || seen.has(a.href)) continue;
      seen.add(a.href);
      const copy = document.createElement('a');
      copy.href = a.href;
      copy.textContent = (a.textContent || a.title || '').trim();
      keep.appendChild(copy);
    }
  };
  collect();
  const navigates = /location|window\\.open|\\.submit|href\\s*=|print\\(|close\\(/i;
  // Tabs and script pagers only: never a real link, a form's control or a button (a POST, a vote).
  const controls = [...document.querySelectorAll('[onclick], a[href^="javascript:"]')]
    .filter(el => !(el.matches('a[href]') && !el.getAttribute('href').trim().toLowerCase().startsWith('javascript:')))
    .filter(el => !el.closest('form') && !el.matches('button, input, select, textarea'))
    .filter(el => !navigates.test((el.getAttribute('onclick') || '') + (el.getAttribute('href') || '')))
    .slice(0, maxClicks);
  window.open = () => null;
  let clicked = 0;
  for (const el of controls) {
    try { el.click(); clicked++; } catch (e) { continue; }
    await new Promise(r => setTimeout(r, waitMs));
    collect();
  }
  document.body.appendChild(keep);
  return clicked;
}"""


def render_meta() -> dict[str, Any]:
    """Request meta that draws a page in Chromium and clicks through its tabs and script pagers."""
    return {
        "playwright": True,
        "playwright_page_goto_kwargs": dict(GOTO),  # the handler edits it
        "playwright_page_methods": [PageMethod("evaluate", CLICK_THROUGH, [MAX_CLICKS, CLICK_WAIT_MS])],
    }
