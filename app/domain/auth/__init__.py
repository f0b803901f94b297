"""Sign-up, sign-in, token refresh and rotation, sign-out, password reset."""
