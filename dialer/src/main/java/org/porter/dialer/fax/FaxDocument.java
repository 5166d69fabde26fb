package org.porter.dialer.fax;

import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One part of a message to fax: its MIME type and decoded content (in a file: attachments can be big),
 * with the charset of a text. Porter faxes plain text, PDF and TIFF; {@link #kind} says which, or
 * refuses the part with words for the sender.
 */
public record FaxDocument(String mimeType, Path content, Charset charset) {

    public enum Kind {
        TEXT, PDF, TIFF
    }

    public Kind kind() {
        return switch (mimeType.toLowerCase(Locale.ROOT)) {
            case "text/plain" -> Kind.TEXT;
            case "application/pdf" -> Kind.PDF;
            case "image/tiff", "image/tiff-fx" -> Kind.TIFF;
            default -> throw new FaxException("an attachment of type " + mimeType
                    + " cannot be faxed (only text, PDF and TIFF can)", false);
        };
    }
}
