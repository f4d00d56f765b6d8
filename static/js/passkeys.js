/* Passkeys (WebAuthn) for the second factor: hitportal/security/passkeys.py checks what this sends.
 *
 * A form with data-passkey-create="<options URL>" registers a passkey; one with
 * data-passkey-get="<options URL>" signs with one. On submit: fetch the options (a fresh challenge),
 * ask the browser's authenticator, put its answer (JSON) in the form's hidden "passkey" field, submit.
 * Without WebAuthn in the browser the button is switched off and the form says so.
 */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function say(form, text) {
    var status = form.querySelector("[data-passkey-status]");
    if (status) status.textContent = text;
  }

  function supported() {
    return Boolean(
      window.PublicKeyCredential &&
        PublicKeyCredential.parseCreationOptionsFromJSON &&
        PublicKeyCredential.parseRequestOptionsFromJSON
    );
  }

  async function fetchOptions(url, form) {
    var response = await fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken(form) },
      credentials: "same-origin",
    });
    var body = await response.json();
    if (!response.ok) throw new Error(body.error || "the portal refused");
    return body;
  }

  async function answer(form) {
    if (form.dataset.passkeyCreate) {
      var creation = await fetchOptions(form.dataset.passkeyCreate, form);
      return navigator.credentials.create({
        publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(creation),
      });
    }
    var request = await fetchOptions(form.dataset.passkeyGet, form);
    return navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(request) });
  }

  document.querySelectorAll("form[data-passkey-create], form[data-passkey-get]").forEach(function (form) {
    var button = form.querySelector("button[type=submit]");
    if (!supported()) {
      say(form, "This browser cannot use passkeys.");
      if (button) button.disabled = true;
      return;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      say(form, "Follow your browser's prompt…");
      answer(form)
        .then(function (credential) {
          form.querySelector("input[name=passkey]").value = JSON.stringify(credential.toJSON());
          form.submit();
        })
        .catch(function (error) {
          say(form, "The passkey was not used (" + error.message + "). Try again, or use a code.");
        });
    });
  });
})();
