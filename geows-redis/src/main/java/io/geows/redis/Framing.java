package io.geows.redis;

import io.geows.spi.BrokerMessage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How a history message travels on a channel: {@code "G1 <offset> <epoch>\n"} then the payload (the
 * append script writes the header). Anything else is a plain message with offset 0: plain publishes,
 * presence events, or a stranger's bytes, which the node then drops as malformed.
 */
final class Framing {
    private static final int MAX_HEADER = 96;

    private Framing() {
    }

    static BrokerMessage decode(String channel, byte[] raw) {
        if (raw.length < 6 || raw[0] != 'G' || raw[1] != '1' || raw[2] != ' ') {
            return new BrokerMessage(channel, raw, 0, null);
        }
        int space = -1;
        int newline = -1;
        for (int i = 3; i < Math.min(raw.length, MAX_HEADER); i++) {
            if (raw[i] == ' ' && space < 0) {
                space = i;
            } else if (raw[i] == '\n') {
                newline = i;
                break;
            }
        }
        if (space < 0 || newline < 0 || newline < space + 2) {
            return new BrokerMessage(channel, raw, 0, null);
        }
        long offset;
        try {
            offset = Long.parseLong(new String(raw, 3, space - 3, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return new BrokerMessage(channel, raw, 0, null);
        }
        if (offset <= 0) {
            return new BrokerMessage(channel, raw, 0, null);
        }
        String epoch = new String(raw, space + 1, newline - space - 1, StandardCharsets.UTF_8);
        // The append script numbers a room's messages without gaps: the previous one is offset - 1.
        return new BrokerMessage(channel, Arrays.copyOfRange(raw, newline + 1, raw.length), offset, epoch, offset - 1, null);
    }
}
