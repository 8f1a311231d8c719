/* global window, fetch */
// Progressive enhancement only: every page works without this file.
document.body.classList.add('js-enabled', 'govuk-frontend-supported')
import('__GOVUK_FRONTEND__').then(({ initAll }) => initAll())

// A page waiting on something (an M-Pesa payment): ask for its state every few seconds and reload the
// page once, when the state changes. Never a timed reload of an unchanged page (WCAG 2.2.1).
const poll = document.querySelector('[data-app-poll]')
if (poll) {
  const every = Math.max(2, Number(poll.getAttribute('data-app-poll-seconds')) || 5) * 1000
  const ask = () =>
    fetch(poll.getAttribute('data-app-poll'), { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then((response) => (response.ok ? response.json() : undefined))
      .then((answer) => {
        if (answer && answer.state !== poll.getAttribute('data-app-poll-state')) window.location.reload()
        else setTimeout(ask, every)
      })
      .catch(() => setTimeout(ask, every))
  setTimeout(ask, every)
}
