/* global window, navigator, fetch, atob, btoa, URLSearchParams */
// Passkey ceremonies (WebAuthn) for forms marked data-passkey="register" or "sign-in". Progressive
// enhancement: without this script, or in a browser without passkeys, the page keeps its explanation
// and the other ways to sign in. Plain script, no bundler: the server sends options as JSON with
// base64url strings, and this turns them into the ArrayBuffers the browser wants (and back).
;(function () {
  'use strict'
  if (!window.PublicKeyCredential || !navigator.credentials) return

  function toBuffer(base64url) {
    var base64 = base64url.replace(/-/g, '+').replace(/_/g, '/')
    var binary = atob(base64 + '==='.slice((base64.length + 3) % 4))
    var bytes = new Uint8Array(binary.length)
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    return bytes.buffer
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer)
    var binary = ''
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i])
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  }

  function descriptors(list) {
    return (list || []).map(function (c) {
      return { type: c.type, id: toBuffer(c.id), transports: c.transports }
    })
  }

  function publicKeyOptions(kind, options) {
    var publicKey = Object.assign({}, options, { challenge: toBuffer(options.challenge) })
    if (kind === 'register') {
      publicKey.user = Object.assign({}, options.user, { id: toBuffer(options.user.id) })
      publicKey.excludeCredentials = descriptors(options.excludeCredentials)
    } else {
      publicKey.allowCredentials = descriptors(options.allowCredentials)
    }
    return publicKey
  }

  /** The credential as JSON (what @simplewebauthn/server reads), without relying on toJSON(). */
  function credentialJson(credential) {
    var r = credential.response
    var response = { clientDataJSON: toBase64url(r.clientDataJSON) }
    if (r.attestationObject) {
      response.attestationObject = toBase64url(r.attestationObject)
      if (typeof r.getTransports === 'function') response.transports = r.getTransports()
    } else {
      response.authenticatorData = toBase64url(r.authenticatorData)
      response.signature = toBase64url(r.signature)
      if (r.userHandle) response.userHandle = toBase64url(r.userHandle)
    }
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: response,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
    }
  }

  function ceremony(form) {
    var kind = form.getAttribute('data-passkey')
    var field = form.querySelector('input[name="credential"]')
    var token = form.querySelector('input[name="_csrf"]').value
    return fetch(form.getAttribute('data-options'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token }),
    })
      .then(function (answer) {
        if (!answer.ok) throw new Error('options refused: ' + answer.status)
        return answer.json()
      })
      .then(function (options) {
        var publicKey = publicKeyOptions(kind, options)
        return kind === 'register' ? navigator.credentials.create({ publicKey: publicKey }) : navigator.credentials.get({ publicKey: publicKey })
      })
      .then(function (credential) {
        field.value = JSON.stringify(credentialJson(credential))
      })
      .catch(function () {
        // Cancelled, timed out or refused: an empty answer makes the server show its own message, in
        // the person's language, with the other ways to go on.
        field.value = ''
      })
      .then(function () {
        form.submit()
      })
  }

  document.querySelectorAll('[data-passkey-fallback]').forEach(function (element) {
    element.hidden = true
  })
  document.querySelectorAll('[data-passkey-enhanced]').forEach(function (element) {
    element.hidden = false
  })
  document.querySelectorAll('form[data-passkey]').forEach(function (form) {
    var busy = false
    form.addEventListener('submit', function (event) {
      event.preventDefault()
      if (busy) return
      busy = true
      ceremony(form)
    })
  })
})()
