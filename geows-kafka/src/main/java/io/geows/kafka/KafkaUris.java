package io.geows.kafka;

/** Kafka URIs in messages and logs: the password replaced. */
final class KafkaUris {
    private KafkaUris() {
    }

    /** {@code kafka://user:secret@h:p} becomes {@code kafka://user:***@h:p}. */
    static String redact(String uri) {
        int scheme = uri.indexOf("://");
        int at = uri.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return uri;
        }
        String credentials = uri.substring(scheme + 3, at);
        int colon = credentials.indexOf(':');
        return colon < 0 ? uri : uri.substring(0, scheme + 3) + credentials.substring(0, colon) + ":***" + uri.substring(at);
    }
}
