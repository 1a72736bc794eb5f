package dev.bqjobs.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.google.auth.oauth2.ServiceAccountCredentials;
import java.io.Serializable;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.Test;

/**
 * No private key travels with the pipeline: the DoFns (what runners serialise into job graphs,
 * templates and staged files) are serialised and searched for the key's bytes. The deprecated
 * {@code withCredentials} is the control: there the key is found, so the search works.
 */
public class CredentialsSerialisationTest {
  private static final KeyPair KEY = newKey();

  private static KeyPair newKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static ServiceAccountCredentials serviceAccount() {
    return ServiceAccountCredentials.newBuilder()
        .setClientId("1234")
        .setClientEmail("runner@proj.iam.gserviceaccount.com")
        .setPrivateKey(KEY.getPrivate())
        .setPrivateKeyId("key-1")
        .build();
  }

  /** Every DoFn of the pipeline and the transform itself, serialised. */
  private static List<byte[]> serialisedParts(BigQueryJobs.Run transform) {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply(Create.of(BigQueryJobsTest.query("SELECT 1"))).apply(transform);
    List<byte[]> parts = new ArrayList<>();
    parts.add(SerializableUtils.serializeToByteArray(transform));
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            PTransform<?, ?> t = node.getTransform();
            Serializable fn = null;
            if (t instanceof ParDo.MultiOutput) {
              fn = ((ParDo.MultiOutput<?, ?>) t).getFn();
            } else if (t instanceof ParDo.SingleOutput) {
              fn = ((ParDo.SingleOutput<?, ?>) t).getFn();
            }
            if (fn != null) {
              parts.add(SerializableUtils.serializeToByteArray(fn));
            }
          }
        });
    return parts;
  }

  private static boolean containsKey(List<byte[]> parts) {
    byte[] key = KEY.getPrivate().getEncoded();
    byte[] base64 = Base64.getEncoder().encode(key);
    for (byte[] part : parts) {
      if (indexOf(part, key) >= 0 || indexOf(part, base64) >= 0) {
        return true;
      }
    }
    return false;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  public void defaultCredentialsAreBuiltOnTheWorker() {
    List<byte[]> parts = serialisedParts(BigQueryJobs.run().withProject("proj"));
    assertThat(parts.size(), greaterThan(2));
    assertFalse(containsKey(parts));
  }

  @Test
  public void aCredentialFactoryCarriesNoKey() {
    String keyFile = "/secrets/bigquery-runner.json"; // read on the worker, never here
    List<byte[]> parts =
        serialisedParts(
            BigQueryJobs.run()
                .withProject("proj")
                .withCredentialFactory(
                    options ->
                        ServiceAccountCredentials.fromStream(
                            new java.io.FileInputStream(keyFile))));
    assertFalse(containsKey(parts));
  }

  @Test
  @SuppressWarnings("deprecation")
  public void deprecatedSerialisedCredentialsDoCarryTheKey() {
    List<byte[]> parts =
        serialisedParts(BigQueryJobs.run().withProject("proj").withCredentials(serviceAccount()));
    assertTrue("the search must find a key that is there", containsKey(parts));
  }
}
