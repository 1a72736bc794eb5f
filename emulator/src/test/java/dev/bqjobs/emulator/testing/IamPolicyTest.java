package dev.bqjobs.emulator.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.services.bigquery.Bigquery;
import dev.bqjobs.emulator.LocalBigQuery;
import dev.bqjobs.emulator.wire.JsonCodec;
import java.nio.file.Path;
import org.junit.Test;

public class IamPolicyTest {
  @Test
  public void jsonIsTheServersFormat() {
    assertEquals(
        "{\"principals\":{\"a-token\":\"a@example.com\"},\"bindings\":["
            + "{\"role\":\"roles/bigquery.jobUser\",\"project\":\"p\",\"members\":[\"a@example.com\"]},"
            + "{\"role\":\"roles/bigquery.dataViewer\",\"project\":\"p\",\"dataset\":\"d\","
            + "\"members\":[\"a@example.com\",\"b@example.com\"]}]}",
        IamPolicy.create()
            .principal("a-token", "a@example.com")
            .grant("roles/bigquery.jobUser", "p", "a@example.com")
            .grantOnDataset("roles/bigquery.dataViewer", "p", "d", "a@example.com", "b@example.com")
            .toJson());
  }

  @Test
  public void theServerEnforcesAWrittenPolicy() throws Exception {
    Path policy =
        IamPolicy.create()
            .principal("admin-token", "admin@example.com")
            .principal("viewer-token", "viewer@example.com")
            .grant("roles/bigquery.admin", "*", "admin@example.com")
            .grant("roles/bigquery.dataViewer", "p", "viewer@example.com")
            .writeTemporary();
    try (LocalBigQuery server = LocalBigQuery.builder().iam(policy).start()) {
      ServerFixtures.createDataset(client(server, "admin-token"), "p", "ds", null);
      GoogleJsonResponseException denied =
          assertThrows(
              GoogleJsonResponseException.class,
              () -> ServerFixtures.createDataset(client(server, "viewer-token"), "p", "ds2", null));
      assertEquals(403, denied.getStatusCode());
    }
  }

  private static Bigquery client(LocalBigQuery server, String token) {
    return new Bigquery.Builder(
            new NetHttpTransport(),
            JsonCodec.factory(),
            request -> request.getHeaders().setAuthorization("Bearer " + token))
        .setRootUrl(server.rootUrl())
        .build();
  }
}
