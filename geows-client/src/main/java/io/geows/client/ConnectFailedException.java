package io.geows.client;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * No session could be established: no region answered within the connect timeout, or the regions
 * could not be learned.
 *
 * @since 0.1.0
 */
public class ConnectFailedException extends GeoWsClientException {
    private static final long serialVersionUID = 1L;

    /**
     * A connect failure.
     *
     * @param message what failed and what to do
     * @param cause   the last underlying failure, may be null
     */
    public ConnectFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * No region answered in time.
     *
     * @param lastErrors the last failure seen per region (name or URI), in the order tried
     * @param timeout    the connect timeout
     * @param cause      the last underlying failure, may be null
     * @return the exception
     */
    public static ConnectFailedException noRegionReachable(Map<String, String> lastErrors, Duration timeout,
                                                           Throwable cause) {
        return new ConnectFailedException("could not connect to any region within " + timeout + " " + lastErrors
                + " - are the nodes running and the URIs right? raise connectTimeout(...) for slow networks", cause);
    }

    /**
     * The region list could not be fetched from a node's {@code /regions}.
     *
     * @param url   the URL asked
     * @param cause the failure
     * @return the exception
     */
    public static ConnectFailedException regionsUnavailable(URI url, Throwable cause) {
        return new ConnectFailedException("could not learn the regions from " + url + ": " + cause.getMessage()
                + " - is the node's HTTP port right? or give regions with region(name, uri)", cause);
    }

    /**
     * The builder named no region and {@code /regions} listed none.
     *
     * @param url the URL asked
     * @return the exception
     */
    public static ConnectFailedException noRegions(URI url) {
        return new ConnectFailedException(url + " lists no regions - are the nodes registered? "
                + "or give regions with region(name, uri)", null);
    }
}
