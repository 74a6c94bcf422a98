package io.geows.spring.boot4;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** An application with nothing of its own: the starter does everything. */
@SpringBootApplication
public class Boot4Application {
}
