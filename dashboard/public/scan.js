// The scanner: camera frames → a QR code → /scan/resolve?code=… (the server decides which coil
// the code names). BarcodeDetector where the browser has it; otherwise the bundled zxing-wasm
// reader (window.ZXingWASM, served from /assets/zxing/, never from the internet).
const video = document.getElementById('scan-video')
const canvas = document.getElementById('scan-canvas')
const status = document.getElementById('scan-status')
// The page's language: its texts come in a data attribute (English when absent).
const t = { found: 'Found', point: 'Point the camera at the label.', unavailable: 'Camera unavailable', typeBelow: 'Type the coil ID below.',
  noCamera: 'This browser gives no camera access here (it needs HTTPS or localhost). Type the coil ID below.', ...JSON.parse(status.dataset.texts || '{}') }
const startButton = document.getElementById('scan-start')
let detect

async function makeDetector() {
  if ('BarcodeDetector' in window) {
    const formats = await window.BarcodeDetector.getSupportedFormats().catch(() => [])
    if (formats.includes('qr_code')) {
      const d = new window.BarcodeDetector({ formats: ['qr_code'] })
      return async (source) => (await d.detect(source))[0]?.rawValue
    }
  }
  const z = window.ZXingWASM
  if (!z) throw new Error('no QR decoder available')
  z.prepareZXingModule({ overrides: { locateFile: (path, prefix) => (path.endsWith('.wasm') ? '/assets/zxing/zxing_reader.wasm' : prefix + path) } })
  const ctx = canvas.getContext('2d', { willReadFrequently: true })
  return async (source) => {
    canvas.width = source.videoWidth
    canvas.height = source.videoHeight
    ctx.drawImage(source, 0, 0)
    const results = await z.readBarcodes(ctx.getImageData(0, 0, canvas.width, canvas.height), { formats: ['QRCode'], maxNumberOfSymbols: 1 })
    return results.find((r) => r.isValid)?.text
  }
}

function go(code) {
  status.textContent = `${t.found} ${code}`
  location.assign(`/scan/resolve?code=${encodeURIComponent(code)}`)
}

async function loop() {
  if (video.readyState >= 2) {
    try {
      const code = await detect(video)
      if (code) return go(code)
    } catch (err) {
      status.textContent = `decoder: ${err.message}`
    }
  }
  setTimeout(loop, 150)
}

async function start() {
  startButton.hidden = true
  try {
    detect = await makeDetector()
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
    video.srcObject = stream
    await video.play()
    status.textContent = t.point
    loop()
  } catch (err) {
    status.textContent = `${t.unavailable} (${err.message}). ${t.typeBelow}`
    startButton.hidden = false
  }
}

window.millwatchScan = { go, makeDetector }
startButton.addEventListener('click', start)
if (navigator.mediaDevices?.getUserMedia) start()
else status.textContent = t.noCamera
