package no.knutepunkt.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium, driven through its chromedriver (packages chromium and
 * chromium-driver; .ci/run installs them), for the pages' tests: sign in as a demo user through
 * the local issuer's chooser, as a person would, and keep a screenshot of what was seen under
 * target/screenshots/. Selenium is pointed at the installed driver and browser, so it downloads
 * nothing.
 */
public final class Browser implements AutoCloseable {

    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ChromeDriver driver;
    private final Path profile;
    private final String base;

    private Browser(ChromeDriver driver, Path profile, String base) {
        this.driver = driver;
        this.profile = profile;
        this.base = base.replaceFirst("/$", "");
    }

    /** @param base the hub's address, e.g. the test's {@code test.url} */
    public static Browser open(String base) {
        Path profile;
        try {
            profile = Files.createTempDirectory("knutepunkt-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        // Downloads (the patient's export) land in the profile's own folder, without asking.
        options.setExperimentalOption("prefs", java.util.Map.of("download.default_directory", profile.resolve("downloads").toString(),
                "download.prompt_for_download", false));
        options.setBinary(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        // Without the background-networking switches Chromium keeps calling Google's hosts, which
        // these machines' closed network refuses (slowly).
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
                "--window-size=1280,1100", "--lang=nb-NO", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver")).toFile())
                .usingAnyFreePort().build();
        return new Browser(new ChromeDriver(service, options), profile, base);
    }

    public WebDriver driver() {
        return driver;
    }

    /** Where the browser saves downloads. */
    public Path downloads() {
        return profile.resolve("downloads");
    }

    public Browser go(String path) {
        driver.get(base + path);
        return this;
    }

    /**
     * Signs in from the hub's sign-in page: HelseID for staff, ID-porten for citizens; on the local
     * issuer's chooser, the demo user's button; back on the hub, signed in.
     */
    public Browser signIn(String userKey, boolean citizen) {
        go("/logg-inn");
        click(By.cssSelector(citizen ? "[data-testid=sign-in-idporten]" : "[data-testid=sign-in-helseid]"));
        click(By.cssSelector("button[name=user][value='" + userKey + "']"));
        await(By.cssSelector("[data-testid=signed-in-as]"));
        return this;
    }

    /** Waits for the element; when it never comes, keeps a screenshot and says where the browser was and what it showed. */
    public WebElement await(By by) {
        try {
            return new WebDriverWait(driver, WAIT).until(ExpectedConditions.visibilityOfElementLocated(by));
        } catch (org.openqa.selenium.TimeoutException e) {
            Path shot = screenshot("failed-" + System.nanoTime());
            String source = driver.getPageSource();
            throw new AssertionError("no " + by + " at " + driver.getCurrentUrl() + " (screenshot " + shot + "); the page said: "
                    + (source.length() > 3000 ? source.substring(0, 3000) + "…" : source), e);
        }
    }

    public void click(By by) {
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.elementToBeClickable(by)).click();
    }

    public void type(By by, String text) {
        WebElement e = await(by);
        e.clear();
        e.sendKeys(text);
    }

    public String text(By by) {
        return await(by).getText();
    }

    /** Keeps what the browser shows now as target/screenshots/{name}.png, a test artefact. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path target = SCREENSHOTS.resolve(name + ".png");
            Path taken = driver.getScreenshotAs(OutputType.FILE).toPath();
            Files.move(taken, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temp dir left behind is harmless.
        }
    }
}
