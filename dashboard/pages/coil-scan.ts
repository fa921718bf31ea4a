// The QA scanner page (issue 5): the phone camera reads a coil's QR code — with the browser's
// BarcodeDetector where it exists, with the bundled zxing-wasm decoder where not (iPhones) —
// and jumps to the coil's page. Nothing is loaded from the internet: the decoder and its
// WebAssembly are served by millwatch. A typed coil ID works too.
import { coilTexts } from './coil-text.ts'
import { esc, page } from './layout.ts'

export function scanPage(signedIn?: string, lang = 'en'): string {
  const tx = coilTexts(lang)
  const body = `<link rel="stylesheet" href="/assets/coils.css">
<h1>${esc(tx.scanHeading)}</h1>
<div class="scanner"><video id="scan-video" playsinline muted></video><canvas id="scan-canvas" hidden></canvas></div>
<p id="scan-status" class="muted" role="status" data-texts="${esc(JSON.stringify(tx.scanClient))}">${esc(tx.starting)}</p>
<button type="button" id="scan-start" hidden>${esc(tx.startCamera)}</button>
<form method="get" action="/scan/resolve" id="scan-form">
<label for="code">${esc(tx.typeId)}</label><input type="text" id="code" name="code" autocapitalize="characters" autocomplete="off" required>
<button type="submit">${esc(tx.openCoil)}</button></form>
<script src="/assets/zxing/reader.js" defer></script>
<script src="/assets/scan.js" defer></script>`
  return page({ title: tx.scanTitle, body, signedIn, lang })
}
