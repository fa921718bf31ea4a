// The QA scanner page (issue 5): the phone camera reads a coil's QR code — with the browser's
// BarcodeDetector where it exists, with the bundled zxing-wasm decoder where not (iPhones) —
// and jumps to the coil's page. Nothing is loaded from the internet: the decoder and its
// WebAssembly are served by millwatch. A typed coil ID works too.
import { page } from './layout.ts'

export function scanPage(signedIn?: string): string {
  const body = `<link rel="stylesheet" href="/assets/coils.css">
<h1>Scan a coil label</h1>
<div class="scanner"><video id="scan-video" playsinline muted></video><canvas id="scan-canvas" hidden></canvas></div>
<p id="scan-status" class="muted" role="status">Starting the camera…</p>
<button type="button" id="scan-start" hidden>Start camera</button>
<form method="get" action="/scan/resolve" id="scan-form">
<label for="code">Or type the coil ID</label><input type="text" id="code" name="code" autocapitalize="characters" autocomplete="off" required>
<button type="submit">Open coil</button></form>
<script src="/assets/zxing/reader.js" defer></script>
<script src="/assets/scan.js" defer></script>`
  return page({ title: 'Scan', body, signedIn })
}
