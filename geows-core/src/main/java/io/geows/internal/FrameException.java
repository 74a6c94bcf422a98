package io.geows.internal;

import io.geows.ErrorCode;

/** A client frame failed validation; becomes an {@code error} frame. */
public final class FrameException extends Exception {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;
    private final String ref;

    public FrameException(ErrorCode code, String message, String ref) {
        super(message, null, false, false);
        this.code = code;
        this.ref = ref;
    }

    public ErrorCode code() {
        return code;
    }

    public String ref() {
        return ref;
    }
}
