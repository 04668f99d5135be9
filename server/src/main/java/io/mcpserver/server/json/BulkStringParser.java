package io.mcpserver.server.json;

import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
import com.fasterxml.jackson.core.sym.ByteQuadsCanonicalizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Jackson's UTF-8 parser over a whole message in one array, which decodes a string value without escapes or control
 * characters in bulk: its end found eight bytes at a time ({@link Utf8Text#firstToEscape}) and its text built by the
 * JDK's decoder (a copy when the bytes are ASCII). Jackson decodes every string a byte at a time into a char buffer
 * and builds the String from that buffer's segments: with a 64 KB tool argument that was a third of the server's CPU
 * (bench/: profile-ours-http-64k). Anything else (an escape, a control character, UTF-8 the JDK would replace, a
 * string not closed before the end) is left to Jackson from the string's start, so its results and its errors are
 * Jackson's own ({@code BulkStringParserTest}, {@code JsonParseFuzzTest}).
 */
final class BulkStringParser extends UTF8StreamJsonParser {

    /** From this length on, an ASCII string is remembered as needing no escapes ({@link PlainText}). */
    static final int REMEMBERED = 256;

    BulkStringParser(IOContext context, int features, ObjectCodec codec, ByteQuadsCanonicalizer names,
                     byte[] input, int start, int end) {
        super(context, features, null, codec, names, input, start, end, 0, false);
    }

    @Override
    protected String _finishAndReturnString() throws IOException {
        int start = _inputPtr; // just after the opening quote
        int close = Utf8Text.firstToEscape(_inputBuffer, start, _inputEnd);
        if (close < 0 || _inputBuffer[close] != '"') {
            return super._finishAndReturnString(); // an escape, a control character, or no end in the input
        }
        int length = close - start;
        String text = new String(_inputBuffer, start, length, StandardCharsets.UTF_8);
        // the JDK replaces what is not UTF-8 with U+FFFD (free to look for in an ASCII string: it cannot hold one)
        if (text.indexOf('\uFFFD') >= 0) {
            // not valid UTF-8 (or a U+FFFD in the input): Jackson decides, and reports what is wrong as it always has
            return super._finishAndReturnString();
        }
        boolean ascii = text.length() == length; // valid UTF-8 beyond ASCII decodes to fewer chars than bytes
        _streamReadConstraints.validateStringLength(text.length());
        _inputPtr = close + 1;
        _textBuffer.resetWithString(text);
        if (ascii && length >= REMEMBERED) {
            PlainText.remember(text);
        }
        return text;
    }
}
