package org.porter.appliance.admin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium (Debian's chromium + chromium-driver, installed by run-tests) driven by
 * Selenium, with the small vocabulary the admin tests speak: open a page, fill a field, press a
 * button, wait for text, keep a screenshot under target/screenshots.
 */
final class Browser implements AutoCloseable {
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration WAIT = org.porter.mta.testing.TestTime.scaled(Duration.ofSeconds(60));

    final ChromeDriver driver;
    final String base;

    Browser(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT);
    }

    Browser open(String path) {
        driver.get(base + path);
        return this;
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    Browser type(String name, String text) {
        WebElement e = driver.findElement(By.name(name));
        e.clear();
        e.sendKeys(text);
        return this;
    }

    /** Presses the submit button whose text contains {@code label}, and waits for the next page. */
    Browser press(String label) {
        WebElement button = driver.findElements(By.cssSelector("button")).stream()
                .filter(b -> b.getText().contains(label)).findFirst()
                .orElseThrow(() -> new AssertionError("no button '" + label + "' on " + driver.getCurrentUrl()
                        + "\n" + text()));
        WebElement html = find("html");
        button.click();
        await(d -> isStale(html));
        return this;
    }

    private static boolean isStale(WebElement e) {
        try {
            e.isEnabled();
            return false;
        } catch (org.openqa.selenium.StaleElementReferenceException gone) {
            return true;
        } catch (org.openqa.selenium.WebDriverException gone) {
            // Chromium sometimes says "Node with given id does not belong to the document" for the old page
            return gone.getMessage() != null && gone.getMessage().contains("does not belong to the document");
        }
    }

    <T> T await(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, WAIT, Duration.ofMillis(100)).until(condition);
    }

    /** Waits until the page's visible text contains {@code text}. */
    Browser awaitText(String text) {
        try {
            await(d -> text().contains(text));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("no '" + text + "' on " + driver.getCurrentUrl() + " after " + WAIT + ":\n" + text(), e);
        }
        return this;
    }

    String text() {
        return find("body").getText();
    }

    String source() {
        return driver.getPageSource();
    }

    String path() {
        return java.net.URI.create(driver.getCurrentUrl()).getPath();
    }

    /** Keeps a full-page screenshot as target/screenshots/NAME.png (a test artifact, not in git). */
    Browser screenshot(String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        return this;
    }

    /** The session cookie, for requests made beside the browser. */
    String sessionCookie() {
        return "porter_admin=" + driver.manage().getCookieNamed("porter_admin").getValue();
    }

    @Override
    public void close() {
        driver.quit();
    }
}
