package io.geows.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryDecisionTests {

    @ParameterizedTest(name = "close {0} is retried")
    @ValueSource(ints = {1000, 1001, 1006, 1011, 4000, 4008, 4100, 4499, -1})
    void lostConnectionsAreRetried(int closeCode) {
        RetryDecision d = RetryDecision.afterClose(closeCode, null);

        assertThat(d.retry()).isTrue();
        assertThat(d.reason()).isNotBlank();
    }

    @ParameterizedTest(name = "close {0} is not retried")
    @ValueSource(ints = {4001, 4002, 1003, 1009, 1002, 4500, 4999})
    void authenticationAndProtocolClosesAreNotRetried(int closeCode) {
        RetryDecision d = RetryDecision.afterClose(closeCode, null);

        assertThat(d.retry()).isFalse();
        assertThat(d.reason()).isNotBlank();
    }

    @ParameterizedTest(name = "hello answered {0} is not retried, whatever the close")
    @CsvSource({"unauthorized,1006", "unsupported_protocol,1000", "bad_request,1006", "room_limit,1006"})
    void aRefusedHelloIsNotRetried(String helloError, int closeCode) {
        assertThat(RetryDecision.afterClose(closeCode, helloError).retry()).isFalse();
    }

    @ParameterizedTest(name = "reason for {0}")
    @CsvSource({"4001,token", "4002,protocol 1", "1001,going away", "4008,slow consumer"})
    void theReasonSaysWhy(int closeCode, String words) {
        assertThat(RetryDecision.afterClose(closeCode, null).reason()).contains(words);
    }

    @ParameterizedTest(name = "hello answered unavailable for a room is no refusal")
    @ValueSource(ints = {1006, 1000})
    void anUnavailableRoomInTheHelloDoesNotStopRetrying(int closeCode) {
        assertThat(RetryDecision.afterClose(closeCode, "unavailable").retry()).isTrue();
    }

    @ParameterizedTest(name = "request answered {0}: retry={1}")
    @CsvSource({"unavailable,true", "overloaded,true", "not_member,false", "forbidden,false", "user_offline,false", "room_limit,false",
            "bad_request,false", "internal,false", "forbidden_field,false"})
    void onlyUnavailableAndOverloadedRequestsAreRetried(String code, boolean retry) {
        assertThat(RetryDecision.afterError(code).retry()).isEqualTo(retry);
    }

    @org.junit.jupiter.api.Test
    void anExpiredTokenIsRetriedWithAFreshOneFromTheSupplier() {
        assertThat(RetryDecision.afterClose(4003, "token_expired").retry()).isTrue();
        assertThat(RetryDecision.afterClose(4003, null).reason()).contains("fresh");
        assertThat(RetryDecision.afterClose(4001, "unauthorized").retry()).isFalse();
    }

    @ParameterizedTest(name = "an overloaded node (hello {0}, close {1}) is tried again after a backoff")
    @CsvSource({"overloaded,1013", "overloaded,1006", ",1013"})
    void anOverloadedNodeIsTriedAgain(String helloError, int closeCode) {
        RetryDecision d = RetryDecision.afterClose(closeCode, helloError);
        assertThat(d.retry()).isTrue();
        assertThat(d.reason()).contains("too many joins");
    }
}
