// Coil page: QA actions without leaving the page. The forms work without this script too
// (the API answers a form post with a redirect back); with it, errors show in place.
for (const form of document.querySelectorAll('form.coil-action')) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault()
    const box = document.querySelector('.coil-error')
    const data = Object.fromEntries(new FormData(form))
    const csrf = data._csrf
    delete data._csrf
    if (data.position_m === '') delete data.position_m
    else if (data.position_m !== undefined) data.position_m = Number(data.position_m)
    if (data.note === '') delete data.note
    for (const b of form.querySelectorAll('button')) b.disabled = true
    try {
      const res = await fetch(form.action, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(data), credentials: 'same-origin' })
      if (res.ok) return location.reload()
      const body = await res.json().catch(() => ({}))
      box.textContent = body.message || `failed (${res.status})`
      box.hidden = false
    } catch (err) {
      box.textContent = `network error: ${err.message}`
      box.hidden = false
    } finally {
      for (const b of form.querySelectorAll('button')) b.disabled = false
    }
  })
}
