// Once django-otp-webauthn's script has registered a passkey, go on to name it: the server's
// answer says where (always a path on this site), and the naming page then leads back here,
// or on to where the page was leading (its `next` field: the sign-in's destination).
document.addEventListener("otp_webauthn.register_complete", (event) => {
  const target = event.detail && event.detail.response && event.detail.response.redirect_url;
  if (typeof target !== "string" || !target.startsWith("/") || target.startsWith("//")) {
    return;
  }
  const field = document.querySelector("input[name='next']");
  const onward = (field && field.value) || window.location.pathname;
  window.location.assign(target + "?" + new URLSearchParams({ next: onward }));
});
