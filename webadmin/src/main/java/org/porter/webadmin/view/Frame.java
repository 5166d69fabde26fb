package org.porter.webadmin.view;

/**
 * What the layout around every page needs: the page's title, which menu entry is current, the
 * session's CSRF token for the page's forms, and a one-time notice ("Alice was added.").
 *
 * @param nav    the menu entry to mark current ("dashboard", "users", ...); empty on the sign-in page
 * @param notice a success message to show once, or empty
 * @param alert  an error message for the whole page, or empty
 */
public record Frame(String title, String nav, String csrf, String notice, String alert, boolean signedIn) {

    public boolean current(String entry) {
        return nav.equals(entry);
    }
}
