package io.mcpserver.server.admin;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * The console, {@code /console}: one HTML page whose script polls the admin API and draws it, with uPlot for the
 * charts, served from its WebJar on the class path (no CDN). The page is behind {@link AdminAccess} like the API
 * (a browser cannot set a header to open a page, so with security on it also takes the token from its URL's
 * {@code access_token}, which the script then sends as a bearer header); its script, style and the chart library
 * are static files without data, served to anyone.
 */
final class ConsolePage implements HttpService {

    private static final String OWN = "/io/mcpserver/server/admin/console/";
    /** Tight: only this server's own scripts; uPlot sets inline styles. */
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final AdminAccess access;
    private final Map<String, Asset> assets;

    private record Asset(byte[] bytes, String contentType) {
    }

    ConsolePage(AdminAccess access) {
        this.access = access;
        String uplot = "/META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";
        this.assets = Map.of(
                "/console.js", asset(OWN + "console.js", "text/javascript; charset=utf-8"),
                "/console.css", asset(OWN + "console.css", "text/css; charset=utf-8"),
                "/uplot.js", asset(uplot + "uPlot.iife.min.js", "text/javascript; charset=utf-8"),
                "/uplot.css", asset(uplot + "uPlot.min.css", "text/css; charset=utf-8"));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::page);
        assets.forEach((path, asset) -> rules.get(path, (req, res) -> send(res, asset, "public, max-age=300")));
    }

    private void page(ServerRequest req, ServerResponse res) {
        String token = req.query().contains("access_token") ? req.query().get("access_token") : null;
        if (access.admit(req, res, token) == null) {
            return;
        }
        send(res, asset(OWN + "index.html", "text/html; charset=utf-8"), "no-store");
    }

    private static void send(ServerResponse res, Asset asset, String cacheControl) {
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, asset.contentType());
        res.header(HeaderNames.CACHE_CONTROL, cacheControl);
        res.header("Content-Security-Policy", CSP);
        res.header("X-Content-Type-Options", "nosniff");
        res.header("Referrer-Policy", "no-referrer"); // the page's URL may carry its token
        res.send(asset.bytes());
    }

    private static Asset asset(String path, String contentType) {
        try (InputStream in = ConsolePage.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the console's " + path + " is not on the class path");
            }
            return new Asset(in.readAllBytes(), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The uPlot WebJar's version, from its Maven metadata, so that upgrading the dependency needs no code change. */
    static String uplotVersion() {
        try (InputStream in = ConsolePage.class.getResourceAsStream(
                "/META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the uPlot WebJar (org.webjars.npm:uplot) is not on the class path");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
