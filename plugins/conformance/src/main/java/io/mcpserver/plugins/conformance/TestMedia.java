package io.mcpserver.plugins.conformance;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** The smallest valid media the fixtures return, built here so that no opaque blobs live in the source. */
final class TestMedia {

    /** A 1x1 red pixel, PNG, base64. */
    static final String RED_PIXEL_PNG = Base64.getEncoder().encodeToString(png1x1(0xFF, 0x00, 0x00));
    /** 10 ms of silence, 8 kHz mono 16-bit PCM WAV, base64. */
    static final String SILENCE_WAV = Base64.getEncoder().encodeToString(silentWav(8000, 80));

    private TestMedia() {
    }

    static byte[] png1x1(int red, int green, int blue) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer header = ByteBuffer.allocate(13);
        header.putInt(1).putInt(1)      // width, height
                .put((byte) 8)          // bit depth
                .put((byte) 2)          // colour type: truecolour RGB
                .put((byte) 0).put((byte) 0).put((byte) 0); // compression, filter, interlace
        chunk(out, "IHDR", header.array());
        // one scanline: filter byte 0, then R G B
        chunk(out, "IDAT", deflate(new byte[] {0, (byte) red, (byte) green, (byte) blue}));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater();
        deflater.setInput(data);
        deflater.finish();
        byte[] buffer = new byte[64];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }

    static byte[] silentWav(int sampleRate, int samples) {
        int dataBytes = samples * 2;
        ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + dataBytes)
                .put("WAVE".getBytes(StandardCharsets.US_ASCII))
                .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16)
                .putShort((short) 1)              // PCM
                .putShort((short) 1)              // mono
                .putInt(sampleRate)
                .putInt(sampleRate * 2)           // byte rate
                .putShort((short) 2)              // block align
                .putShort((short) 16)             // bits per sample
                .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(dataBytes);
        return b.array(); // the samples are already zero: silence
    }
}
