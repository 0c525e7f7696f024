// How tests and the bench launch a browser: Debian's Chromium, never a downloaded one, with
// WebGL 2 on SwiftShader (CPU) through ANGLE, so no GPU is needed.
export const CHROMIUM_PATH = "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu-sandbox",
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
  "--no-first-run",
  // Without these, Chromium keeps dialing out from a machine with no network.
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
