package io.mcpserver.server.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;

import java.io.IOException;

/**
 * The mapper's factory: a message given as bytes is read by {@link BulkStringParser} when Jackson would read it as
 * UTF-8 without a byte-order mark, by Jackson's own parsers otherwise (UTF-16 and UTF-32, a BOM, text, streams).
 */
final class BulkStringFactory extends JsonFactory {

    private static final long serialVersionUID = 1L;

    BulkStringFactory(JsonFactoryBuilder builder) {
        super(builder);
    }

    private BulkStringFactory(BulkStringFactory source, ObjectCodec codec) {
        super(source, codec);
    }

    @Override
    public JsonFactory copy() {
        _checkInvalidCopy(BulkStringFactory.class);
        return new BulkStringFactory(this, null);
    }

    @Override
    protected JsonParser _createParser(byte[] data, int offset, int length, IOContext context) throws IOException {
        if (!plainUtf8(data, offset, length) || _inputDecorator != null
                || !Feature.CANONICALIZE_FIELD_NAMES.enabledIn(_factoryFeatures)) {
            return super._createParser(data, offset, length, context);
        }
        _streamReadConstraints.validateDocumentLength(length);
        context.setEncoding(JsonEncoding.UTF8); // as Jackson's detection records it
        return new BulkStringParser(context, _parserFeatures, _objectCodec,
                _byteSymbolCanonicalizer.makeChild(_factoryFeatures), data, offset, offset + length);
    }

    /**
     * Whether Jackson's encoding detection ({@code ByteSourceJsonBootstrapper}) would find UTF-8 and skip nothing: at
     * least four bytes, the first an ASCII character other than NUL (no byte-order mark starts so, and UTF-32 and
     * UTF-16 need a zero byte among the first two), the second not NUL.
     */
    static boolean plainUtf8(byte[] data, int offset, int length) {
        return length >= 4 && data[offset] > 0 && data[offset + 1] != 0;
    }
}
