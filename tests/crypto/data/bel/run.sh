set -e
export BELENIOS_USE_URANDOM=1
UUID=`belenios-tool setup generate-token`
echo $UUID > uuid
uuid="--uuid $UUID"; group="--group BELENIOS-2048"
belenios-tool setup generate-credentials $uuid $group --count 3 > gc.out
mv *.pubcreds public_creds.json; mv *.privcreds private_creds.txt
ttkeygen () { belenios-tool setup generate-trustee-key-threshold $group "$@"; }
ttkeygen --step 1; ttkeygen --step 1; ttkeygen --step 1
cat *.cert > certs.jsons
ttkeygen --certs certs.jsons --step 2
for u in *.key; do ttkeygen --certs certs.jsons --key $u --step 3 --threshold 2; done > polynomials.jsons
ttkeygen --certs certs.jsons --step 4 --polynomials polynomials.jsons
for u in *.key; do b=${u%.key}; ttkeygen --certs certs.jsons --key $u --step 5 < $b.vinput > $b.voutput; done
cat *.voutput | ttkeygen --certs certs.jsons --step 6 --polynomials polynomials.jsons > threshold.json
belenios-tool setup generate-trustee-key $group
cat *.pubkey > public_keys.jsons
belenios-tool setup make-trustees
rm threshold.json
cp /work/belenios-2.0/tests/tool/templates/questions.json .
belenios-tool setup make-election $uuid $group --template questions.json
cp election.json trustees.json public_creds.json /tmp/bel/keep_ 2>/dev/null || true
mkdir -p keep; cp election.json trustees.json public_creds.json keep/
belenios-tool archive init
rm -f election.json trustees.json public_creds.json
printf '[[1,0],[0,1,0]]\n[[0,1],[0,0,1]]\n[[0,0],[1,0,0]]\n' > votes.txt
paste private_creds.txt votes.txt | while read id cred vote; do
  belenios-tool election generate-ballot --privcred <(echo "$cred") --ballot <(echo "$vote") | tee -a ballots.jsons | belenios-tool archive add-event --type=Ballot
done
belenios-tool election verify
belenios-tool archive add-event --type=EndBallots < /dev/null
belenios-tool election compute-encrypted-tally | belenios-tool archive add-event --type=EncryptedTally
trustee_id=2
for u in *.key; do belenios-tool election decrypt-threshold --key $u --decryption-key ${u%.key}.dkey --trustee-id $trustee_id | belenios-tool archive add-event --type=PartialDecryption; : $((trustee_id++)); done
for u in *.privkey; do belenios-tool election decrypt --privkey $u --trustee-id 1 | belenios-tool archive add-event --type=PartialDecryption; done
belenios-tool election compute-result | belenios-tool archive add-event --type=Result
belenios-tool election verify
