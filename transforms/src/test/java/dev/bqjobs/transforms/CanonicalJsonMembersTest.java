package dev.bqjobs.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import com.google.api.services.bigquery.model.ErrorProto;
import com.google.api.services.bigquery.model.Job;
import com.google.api.services.bigquery.model.JobConfiguration;
import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.JobReference;
import com.google.api.services.bigquery.model.JobStatus;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** Decoding splits our own canonical JSON; it must agree with parsing it, whatever the text. */
public class CanonicalJsonMembersTest {

  @Test
  public void splitsTopLevelMembersAsRawJson() {
    Map<String, String> members =
        CanonicalJson.members(
            "{\"a\":{\"x\":[1,{\"y\":\"}]\"}]},\"b\":\"q\\\"uote\\\\\",\"c\":-1.5e3,\"d\":null,"
                + "\"e\":[],\"f\":true}");
    assertEquals(List.of("a", "b", "c", "d", "e", "f"), List.copyOf(members.keySet()));
    assertEquals("{\"x\":[1,{\"y\":\"}]\"}]}", members.get("a"));
    assertEquals("\"q\\\"uote\\\\\"", members.get("b"));
    assertEquals("q\"uote\\", CanonicalJson.stringValue(members.get("b")));
    assertEquals("-1.5e3", members.get("c"));
    assertEquals("null", members.get("d"));
    assertEquals("[]", members.get("e"));
    assertEquals("true", members.get("f"));
    assertEquals(Map.of(), CanonicalJson.members(" { } "));
  }

  @Test
  public void malformedInputIsRefusedWithItsOffset() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.members("[1]"));
    assertThat(e.getMessage(), containsString("offset 0"));
    assertThrows(IllegalArgumentException.class, () -> CanonicalJson.members("{\"a\":\"open"));
    assertThrows(IllegalArgumentException.class, () -> CanonicalJson.members("{\"a\":{\"b\":1}"));
  }

  @Test
  public void requestsAndResultsWithAwkwardTextRoundTripAsBySorting() {
    String awkward = "k\"}{,:[\\]\u00e9\u2028\ttab";
    JobRequest request =
        JobRequest.of(
                new JobConfiguration()
                    .setQuery(
                        new JobConfigurationQuery()
                            .setQuery("SELECT '\"}' AS x -- " + awkward)
                            .setUseLegacySql(false)))
            .withKey(awkward)
            .withJobId("id_1")
            .withProject("proj")
            .withLocation("EU");
    assertEquals(
        CanonicalJson.toJson(request.toTree()), request.toCanonicalJson()); // joined == sorted
    JobRequest decoded = JobRequest.fromCanonicalJson(request.toCanonicalJson());
    assertEquals(request, decoded);
    assertEquals(awkward, decoded.getKey());

    JobResult result =
        JobResult.failed(
            awkward,
            request,
            new Job()
                .setJobReference(new JobReference().setProjectId("proj").setJobId("id_1"))
                .setStatus(
                    new JobStatus()
                        .setState("DONE")
                        .setErrors(List.of(new ErrorProto().setReason("invalid").setMessage("}")))),
            new JobReference().setProjectId("proj").setJobId("id_1"),
            "invalid",
            "bad: " + awkward,
            List.of("id_1", "id_1-r2"));
    String json = result.toCanonicalJson();
    assertEquals(result.toCanonicalJsonBySorting(), json);
    JobResult back = JobResult.fromCanonicalJson(json);
    assertEquals(result, back);
    assertEquals(json, back.toCanonicalJson());
    assertEquals(awkward, back.getKey());
    assertEquals("bad: " + awkward, back.getErrorResult().getMessage());
  }
}
