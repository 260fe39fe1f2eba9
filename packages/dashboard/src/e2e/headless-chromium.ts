import { type Browser, chromium } from 'playwright-core';

/** Launches the system's Chromium (Debian's /usr/bin/chromium) headless; never downloads a browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
